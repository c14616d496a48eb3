import path from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { TimeSlices } from '../common/time-slices.js';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { EventRecord } from '../event-log/event.types.js';
import { targetKey, targetRecord, type Registration } from '../state/state.model.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { VOLUMES_CHANGED, VolumeCatalog, type VolumeInfo } from '../volumes/volume-catalog.js';
import { WatchPort } from './watch.port.js';
import type { Tally } from './file-index.js';
import { TreeReader } from './tree-reader.port.js';
import { TALLY_CHANGED, TARGET_READY, TARGET_ROOT_LOST } from './measuring.topics.js';
import { TargetMonitor, type MonitorListener, type RescanResult, type WatchSetting } from './target-monitor.js';
import { UsageSamples } from './usage-samples.js';
import { measuredStatus, type MeasuredTargetStatus } from './measured-status.js';

export { SAMPLE_BATCH_MS } from './usage-samples.js';

interface MonitorEntry {
  readonly monitor: TargetMonitor;
  readonly root: string;
  readonly watch: WatchSetting;
  readonly key: string;
  readonly started: Promise<void>;
  /** The first scan is done and the watch set up (see MeasuringService.readiness). */
  ready: boolean;
}

type SyncScope = 'all' | Set<string>;

/** How far measuring has come: targets measured, those first-scanned and watched, and since when all of them are. */
export interface MeasuringReadiness {
  readonly targets: number;
  readonly ready: number;
  readonly all_ready_at: string | null;
}

/**
 * Measures every active registration: one TargetMonitor each (scan, then watch), started and stopped as
 * registrations come and go. Records drift after rescans and coalesced usage samples in the event log, and
 * publishes TALLY_CHANGED, TARGET_READY and TARGET_ROOT_LOST on the bus.
 */
@Injectable()
export class MeasuringService implements MonitorListener, OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MeasuringService.name);
  /** Watcher errors counted by each monitor at the last sweep (NaN: a problem since): a sweep with none new ends a spell. */
  private readonly watchErrorsAtSweep = new Map<string, number>();
  private readonly monitors = new Map<string, MonitorEntry>();
  /** Monitors whose first scan is done and whose watch is set up. */
  private readyCount = 0;
  /** When every monitor became ready (null while one is not). */
  private allReadyAt: Date | null = null;
  /** Monitors to make anew at the next sync (released from quarantine: measured afresh, watched afresh). */
  private readonly restartWanted = new Set<string>();
  private readonly samples: UsageSamples;
  private syncing: Promise<void> = Promise.resolve();
  /** A sync queued behind the running one: later requests join it instead of queueing more. */
  private queuedSync: Promise<void> | undefined;
  /** What the running sync and the queued one look at: every registration, or those named. */
  private runningScope: SyncScope | undefined;
  private queuedScope: SyncScope | undefined;
  private closed = false;

  constructor(
    private readonly store: StateStore,
    private readonly catalog: VolumeCatalog,
    private readonly watcher: WatchPort,
    private readonly reader: TreeReader,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly bus: EventBus,
  ) {
    this.samples = new UsageSamples(store, clock, config.intervals.monitorSeconds * 1000);
  }

  /** Follows registration changes from now on. */
  onModuleInit(): void {
    this.bus.on(EVENTS_COMMITTED, (events) => this.onCommitted(events));
    // A Docker volume created, removed or back with its Engine: roots may have appeared or moved.
    this.bus.on(VOLUMES_CHANGED, () => this.sync());
  }

  /** Measures every active registration once everything is wired (the state is loaded by then). */
  async onApplicationBootstrap(): Promise<void> {
    await this.sync();
  }

  /** After the parts that read tallies have stopped: monitors close, pending usage samples are written. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Outside Nest (benchmarks, specs): follow registration changes and measure every active registration. */
  async start(): Promise<void> {
    this.onModuleInit();
    await this.sync();
  }

  monitor(registrationId: string): TargetMonitor | undefined {
    return this.monitors.get(registrationId)?.monitor;
  }

  /**
   * Resolves once the registration's first scan is done (undefined when it is not measured). Waits for a sync
   * running or queued that may make, replace or remove its monitor — not for syncs of other registrations: a
   * cleanup of one target never waits while another's registration change is taken in.
   */
  async ready(registrationId: string): Promise<TargetMonitor | undefined> {
    if (this.syncCovers(registrationId)) await this.syncing;
    const entry = this.monitors.get(registrationId);
    if (!entry) return undefined;
    await entry.started;
    return entry.monitor;
  }

  /** Whether the registration's monitor is still on its first scan (false once it is done, or when it is not measured). */
  firstScanPending(registrationId: string): boolean {
    const entry = this.monitors.get(registrationId);
    return entry !== undefined && !entry.ready;
  }

  /** For health: every target first-scanned and watched means start-up (or an import) has been taken in. */
  readiness(): MeasuringReadiness {
    return { targets: this.monitors.size, ready: this.readyCount, all_ready_at: this.allReadyAt?.toISOString() ?? null };
  }

  tally(registrationId: string): Tally | undefined {
    return this.monitors.get(registrationId)?.monitor.tally;
  }

  /**
   * Brings the set of monitors in line with the active registrations: all of them, or only those named (a
   * registration change concerns its own monitor; only volume changes and start-up look at every one, each a
   * catalog lookup). Serialised; requests made while a sync runs join the one queued behind it.
   */
  sync(registrationIds?: Iterable<string>): Promise<void> {
    if (registrationIds === undefined) this.queuedScope = 'all';
    else if (this.queuedScope !== 'all') {
      const scope = this.queuedScope ?? new Set<string>();
      for (const id of registrationIds) scope.add(id);
      this.queuedScope = scope;
    }
    if (this.queuedSync) return this.queuedSync;
    const queued = this.syncing
      .then(() => {
        this.queuedSync = undefined;
        this.runningScope = this.queuedScope ?? new Set();
        this.queuedScope = undefined;
        return this.doSync(this.runningScope);
      })
      .catch((error: unknown) => {
        this.logger.error(`Measuring sync failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        if (this.syncing === queued) this.runningScope = undefined;
      });
    this.queuedSync = queued;
    this.syncing = queued;
    return queued;
  }

  /** Whether the sync running or queued concerns the registration. */
  private syncCovers(id: string): boolean {
    const covers = (scope: SyncScope | undefined): boolean => scope === 'all' || (scope?.has(id) ?? false);
    return covers(this.runningScope) || covers(this.queuedScope);
  }

  /** Full rescan of one target, recording drift when the incremental tally had diverged. */
  async rescan(registration: Registration): Promise<RescanResult | undefined> {
    const entry = this.monitors.get(registration.id);
    if (!entry) return undefined;
    await entry.started;
    const result = await entry.monitor.rescan();
    await this.checkWatchRecovered(registration, entry.monitor);
    if (result.drift.bytes !== 0 || result.drift.files !== 0) {
      this.logger.warn(`Drift on ${targetKey(registration.volume_name, registration.path)}: ${result.drift.bytes} bytes, ${result.drift.files} files`);
      await this.store.record([
        {
          type: 'usage.drift',
          target: targetKey(registration.volume_name, registration.path),
          payload: { id: registration.id, ...result.drift, bytes_after: result.current.bytes, files_after: result.current.files },
        },
      ]);
    }
    return result;
  }

  /** Per measured target: figures and watch state, for health. */
  status(): MeasuredTargetStatus[] {
    return [...this.monitors.entries()].map(([id, { monitor, root, watch, ready }]) => measuredStatus(id, root, watch, ready, monitor));
  }

  /** Closes every monitor and writes pending samples. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.syncing;
    await Promise.all([...this.monitors.values()].map(async ({ monitor }) => monitor.close()));
    this.monitors.clear();
    this.readyCount = 0;
    await this.samples.flush();
  }

  onChange(monitor: TargetMonitor): void {
    const registration = this.registrationById(monitor.id);
    if (!registration) return;
    this.bus.publish(TALLY_CHANGED, { registration, monitor });
    this.samples.changed(registration, monitor.tally);
  }

  onRootLost(monitor: TargetMonitor, reason: string): void {
    const registration = this.registrationById(monitor.id);
    if (!registration) return;
    this.bus.publish(TARGET_ROOT_LOST, { registration, reason });
  }

  /** The first problem of a spell is recorded (once: the record says a spell is open); the next clean sweep ends it. */
  onWatchProblem(monitor: TargetMonitor, error: string): void {
    this.watchErrorsAtSweep.set(monitor.id, Number.NaN);
    this.recordWatchFailed(monitor, error);
  }

  /** Directories left unwatched at the watch limit open a spell like any watch problem; it ends once every one is watched. */
  onWatchLimited(monitor: TargetMonitor, reason: string): void {
    this.recordWatchFailed(monitor, reason);
  }

  /** Every directory is watched again: the spell ends now, unless a watcher error came since the last sweep (that sweep ends it). */
  onWatchCovered(monitor: TargetMonitor): void {
    const registration = this.registrationById(monitor.id);
    if (!registration || (this.watchErrorsAtSweep.get(monitor.id) ?? 0) !== monitor.stats.watchErrors) return;
    void this.recordWatchRecovered(registration).catch((e: unknown) => this.logger.warn(`Watch recovery of ${registration.path} not recorded: ${String(e)}`));
  }

  private recordWatchFailed(monitor: TargetMonitor, error: string): void {
    const registration = this.registrationById(monitor.id);
    if (!registration) return;
    const key = targetKey(registration.volume_name, registration.path);
    if (targetRecord(this.store.current, key).watch_problem) return;
    void this.store
      .transact((state) => {
        const current = state.registrations[key];
        if (current?.id !== registration.id || targetRecord(state, key).watch_problem) return { events: [], result: undefined };
        return { events: [{ type: 'target.watch_failed', target: key, payload: { id: registration.id, error } }], result: undefined };
      })
      .catch((e: unknown) => this.logger.warn(`Watch problem of ${key} not recorded: ${String(e)}`));
  }

  /** After a sweep's rescan: a spell of watch problems ends once the target is watched with no error since the last sweep. */
  private async checkWatchRecovered(registration: Registration, monitor: TargetMonitor): Promise<void> {
    const { watching, watchErrors, coverage } = monitor.stats;
    const errorsBefore = this.watchErrorsAtSweep.get(registration.id);
    this.watchErrorsAtSweep.set(registration.id, watchErrors);
    if (!watching || errorsBefore !== watchErrors || (coverage?.directoriesUnwatched ?? 0) > 0) return;
    await this.recordWatchRecovered(registration);
  }

  private async recordWatchRecovered(registration: Registration): Promise<void> {
    const key = targetKey(registration.volume_name, registration.path);
    if (!targetRecord(this.store.current, key).watch_problem) return;
    await this.store.transact((state) => {
      if (state.registrations[key]?.id !== registration.id || !targetRecord(state, key).watch_problem) return { events: [], result: undefined };
      this.logger.log(`${key} is watched again`);
      return { events: [{ type: 'target.watch_recovered', target: key, payload: { id: registration.id } }], result: undefined };
    });
  }

  private onCommitted(events: readonly EventRecord[]): void {
    // A quarantined target may have had its root replaced: its watch and index are not to be trusted.
    for (const event of events) if (event.type === 'quarantine.released') this.restartWanted.add(event.payload.id);
    const changed = events.filter((e) => e.type.startsWith('registration') || e.type === 'quarantine.released');
    if (changed.length > 0) void this.sync(registrationsOf(changed));
  }

  private async doSync(scope: SyncScope): Promise<void> {
    if (this.closed) return;
    const inScope = (id: string): boolean => scope === 'all' || scope.has(id);
    const restart = new Set([...this.restartWanted].filter(inScope));
    for (const id of restart) this.restartWanted.delete(id);
    const wanted = new Map<string, { registration: Registration; root: string; watch: WatchSetting }>();
    const volumes = new Map<string, VolumeInfo | undefined>();
    for (const registration of Object.values(this.store.current.registrations)) {
      if (registration.status !== 'active' || !inScope(registration.id)) continue;
      if (!volumes.has(registration.volume_name)) volumes.set(registration.volume_name, await this.catalog.find(registration.volume_name));
      const volume = volumes.get(registration.volume_name);
      // A volume without local data (another driver, an nfs or tmpfs local volume) is never measured.
      if (!volume?.manageable) continue;
      const watch = (registration.params.watch as WatchSetting | undefined) ?? true;
      wanted.set(registration.id, { registration, root: path.join(volume.root, registration.path), watch });
    }
    for (const [id, entry] of this.monitors) {
      if (!inScope(id)) continue;
      const want = wanted.get(id);
      if (!want || want.root !== entry.root || want.watch !== entry.watch || restart.has(id)) {
        this.monitors.delete(id);
        if (entry.ready) this.readyCount--;
        await entry.monitor.close();
      }
    }
    const began = performance.now();
    const batch: Array<Promise<void>> = [];
    // Starting a monitor sets up its watch and lists its root at once: a thousand of them are let in between
    // slices of the event loop, not in one stretch of it.
    const slices = new TimeSlices();
    for (const [id, want] of wanted) {
      if (this.monitors.has(id) || this.closed) continue;
      await slices.maybePause();
      if (this.monitors.has(id) || this.closed) continue;
      const key = targetKey(want.registration.volume_name, want.registration.path);
      const monitor = new TargetMonitor(id, want.root, want.watch, this.watcher, this.reader, this);
      const started = monitor.start().then(
        () => {
          this.logger.log(`Measuring ${key}: ${monitor.tally.files} files, ${monitor.tally.bytes} bytes`);
          this.noteReady(id, monitor);
          const registration = this.registrationById(id);
          if (registration) this.bus.publish(TARGET_READY, { registration, monitor });
        },
        (error: unknown) => this.logger.error(`Could not measure ${want.root}: ${error instanceof Error ? error.message : String(error)}`),
      );
      this.monitors.set(id, { monitor, root: want.root, watch: want.watch, key, started, ready: false });
      batch.push(started);
    }
    if (this.readyCount < this.monitors.size) this.allReadyAt = null;
    else this.allReadyAt ??= this.clock.now();
    // Start-up, an import: one line once the whole batch is in (each target has its own line above).
    if (batch.length > 1) {
      void Promise.all(batch).then(() => {
        if (!this.closed) this.logger.log(`${batch.length} targets scanned and watched in ${((performance.now() - began) / 1000).toFixed(1)} s`);
      });
    }
  }

  private noteReady(id: string, monitor: TargetMonitor): void {
    const entry = this.monitors.get(id);
    // Closed meanwhile, or replaced by a newer monitor of the same registration.
    if (entry?.monitor !== monitor || entry.ready) return;
    entry.ready = true;
    this.readyCount++;
    if (this.readyCount === this.monitors.size) this.allReadyAt = this.clock.now();
  }

  /** By the target key its monitor was made for (O(1): this runs on every tally change), checked by id. */
  private registrationById(id: string): Registration | undefined {
    const key = this.monitors.get(id)?.key;
    const registration = key === undefined ? undefined : this.store.current.registrations[key];
    if (registration?.id === id) return registration;
    return Object.values(this.store.current.registrations).find((r) => r.id === id);
  }
}

/**
 * The registrations whose monitors committed events may concern, by id; undefined (look at all) for a registration
 * event that names none.
 */
function registrationsOf(events: readonly EventRecord[]): string[] | undefined {
  const ids: string[] = [];
  for (const event of events) {
    if (event.type === 'registration.created' || event.type === 'registration.updated') ids.push(event.payload.registration.id);
    else if (event.type === 'registration.removed' || event.type === 'registration.activated' || event.type === 'registration.pending') ids.push(event.payload.id);
    else if (event.type === 'quarantine.released') ids.push(event.payload.id);
    else if (!event.type.startsWith('registration.label_')) return undefined;
  }
  return ids;
}
