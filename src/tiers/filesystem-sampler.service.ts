import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { roundRatio } from '../common/format.js';
import { CLEANUP_RAN } from '../cleanup/cleanup.topics.js';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { TALLY_CHANGED } from '../measuring/measuring.topics.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { VolumeCatalog } from '../volumes/volume-catalog.js';
import { GrowthTracker, type Forecast } from './forecast.js';
import { FilesystemStats, type FilesystemUsage } from './filesystem-stats.port.js';
import { tierOf, type Fullness, type Tier } from './tier.js';

export const SAMPLING_JOB = 'filesystem-sampling';
/** A filesystem is measured at most this often on tally growth (statfs is microseconds; events are not free). */
export const RESAMPLE_MS = 100;
/** How the manager's own data directory is named among a filesystem's volumes. */
export const DATA_DIR_LABEL = '(data directory)';
/** Forecast full within this long: a warning; cleared once the forecast is over FORECAST_CLEAR_S or gone. */
export const FORECAST_WARN_S = 24 * 3600;
export const FORECAST_CLEAR_S = 36 * 3600;

export interface FilesystemReading extends Fullness {
  readonly mountPoint: string;
  readonly fsType: string;
  readonly device: number;
  readonly usage: FilesystemUsage;
  readonly tier: Tier;
  /** Volume names on this filesystem (and DATA_DIR_LABEL). */
  readonly volumes: readonly string[];
  readonly measuredAt: Date;
  /** Growth of the used bytes' upper envelope and time until no byte is left for unprivileged writers. */
  readonly forecast: Forecast;
}

interface Layout {
  /** Mount point → what lives there. */
  readonly mounts: Map<string, { fsType: string; device: number; volumes: string[] }>;
  /** Volume name → mount point. */
  readonly volumeMount: Map<string, string>;
}

/**
 * Measures every distinct filesystem behind the volumes and the manager's own data directory (statfs: bytes and
 * inodes) every SM_MONITOR_INTERVAL_SECONDS, after every cleanup, and within RESAMPLE_MS of a target's tally
 * changing, so a write that takes a disk over a threshold is seen within one coalescing window. Each tier change
 * is an event (`filesystem.tier_changed`); the previous tier comes from the state, so hysteresis holds across
 * restarts. The latest readings serve health, the volume list and metrics without a statfs on the request path.
 */
@Injectable()
export class FilesystemSampler implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FilesystemSampler.name);
  private layout: Layout = { mounts: new Map(), volumeMount: new Map() };
  private readonly readings = new Map<string, FilesystemReading>();
  private readonly lastSampledAt = new Map<string, number>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  private readonly growth = new Map<string, GrowthTracker>();
  private stopped = false;
  private pass: Promise<void> = Promise.resolve();
  private queuedPass: Promise<void> | undefined;

  constructor(
    private readonly stats: FilesystemStats,
    private readonly catalog: VolumeCatalog,
    private readonly store: StateStore,
    private readonly bus: EventBus,
    private readonly scheduler: SchedulerService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.every(SAMPLING_JOB, this.config.intervals.monitorSeconds, () => this.sampleAll());
    this.bus.on(CLEANUP_RAN, ({ registration }) => this.sampleVolume(registration.volume_name));
    // Growth can cross a threshold; shrinking (an app or a person deleting) can leave one. Every change counts,
    // not only a different total: a tally can come back to the same figure while the disk did not (the files a
    // cleanup removed, written again).
    this.bus.on(TALLY_CHANGED, ({ registration }) => this.sampleSoon(registration.volume_name));
    // A registration on a volume not measured yet (it just appeared) may bring a filesystem not measured yet.
    this.bus.on(EVENTS_COMMITTED, async (events) => {
      const unknown = events.some(
        (e) => (e.type === 'registration.created' && !this.layout.volumeMount.has(e.payload.registration.volume_name)) ||
          (e.type === 'registration.activated' && !this.layout.volumeMount.has(e.payload.volume_name)),
      );
      if (unknown) await this.sampleAll();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sampleAll();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const timer of this.trailing.values()) clearTimeout(timer);
    this.trailing.clear();
  }

  /** The latest reading of every filesystem, by mount point. */
  all(): FilesystemReading[] {
    return [...this.readings.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
  }

  /** The latest reading of the filesystem holding a volume (undefined until it has been measured). */
  ofVolume(volumeName: string): FilesystemReading | undefined {
    const mount = this.layout.volumeMount.get(volumeName);
    return mount === undefined ? undefined : this.readings.get(mount);
  }

  /** The mount point of the filesystem holding a volume (as of the last sampling pass). */
  mountOfVolume(volumeName: string): string | undefined {
    return this.layout.volumeMount.get(volumeName);
  }

  /** Measures one filesystem now (emergency cleanup checks after each target whether it is done). */
  async measureNow(mountPoint: string): Promise<FilesystemReading | undefined> {
    await this.sample(mountPoint);
    return this.readings.get(mountPoint);
  }

  /** Finds which filesystem each volume is on, then measures each filesystem once. Calls during a pass join the next one. */
  sampleAll(): Promise<void> {
    this.queuedPass ??= this.pass.then(async () => {
      this.queuedPass = undefined;
      if (this.stopped) return;
      this.layout = await this.discover();
      for (const mount of [...this.readings.keys()]) {
        if (this.layout.mounts.has(mount)) continue;
        this.readings.delete(mount);
        this.growth.delete(mount);
      }
      for (const mount of this.layout.mounts.keys()) await this.sample(mount);
    });
    this.pass = this.queuedPass.catch((error: unknown) => this.logger.error(`Filesystem sampling failed: ${String(error)}`));
    return this.pass;
  }

  private sampleVolume(volumeName: string): Promise<void> {
    const mount = this.layout.volumeMount.get(volumeName);
    return mount === undefined ? this.sampleAll() : this.sample(mount);
  }

  /**
   * At once, or at the end of the current RESAMPLE_MS window if the filesystem was just measured. A sample taken at
   * once is followed by one more at the end of the window: a reading already in flight (its statfs made before this
   * change reached the disk's figures) must not be the last word on it.
   */
  private sampleSoon(volumeName: string): void {
    const mount = this.layout.volumeMount.get(volumeName);
    if (mount === undefined || this.stopped || this.trailing.has(mount)) return;
    const wait = (this.lastSampledAt.get(mount) ?? -Infinity) + RESAMPLE_MS - performance.now();
    if (wait <= 0) void this.sample(mount);
    const timer = setTimeout(
      () => {
        this.trailing.delete(mount);
        void this.sample(mount);
      },
      wait <= 0 ? RESAMPLE_MS : wait,
    );
    timer.unref();
    this.trailing.set(mount, timer);
  }

  private async discover(): Promise<Layout> {
    const roots: Array<{ name: string; root: string }> = (await this.catalog.list()).filter((v) => v.manageable).map((v) => ({ name: v.name, root: v.root }));
    roots.push({ name: DATA_DIR_LABEL, root: this.config.dataDir });
    const layout: Layout = { mounts: new Map(), volumeMount: new Map() };
    for (const { name, root } of roots) {
      const identity = await this.stats.identify(root).catch(() => undefined);
      if (!identity) continue;
      const entry = layout.mounts.get(identity.mountPoint) ?? { fsType: identity.fsType, device: identity.device, volumes: [] };
      entry.volumes.push(name);
      layout.mounts.set(identity.mountPoint, entry);
      if (name !== DATA_DIR_LABEL) layout.volumeMount.set(name, identity.mountPoint);
    }
    return layout;
  }

  private async sample(mountPoint: string): Promise<void> {
    const where = this.layout.mounts.get(mountPoint);
    if (!where || this.stopped) return;
    this.lastSampledAt.set(mountPoint, performance.now());
    let usage: FilesystemUsage;
    try {
      usage = await this.stats.usage(mountPoint);
    } catch (error) {
      this.logger.warn(`Could not measure the filesystem at ${mountPoint}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const fullness = fullnessOf(usage);
    const now = this.clock.now();
    const tracker = this.growth.get(mountPoint) ?? new GrowthTracker();
    this.growth.set(mountPoint, tracker);
    tracker.add(now.getTime(), usage.usedBytes);
    const forecast = tracker.forecast(usage.usedBytes + usage.availableBytes, now.getTime());
    const previous = this.store.current.filesystems[mountPoint]?.tier ?? 'ok';
    const tier = tierOf(fullness, this.config.tiers, previous);
    const volumes = [...where.volumes].sort();
    this.readings.set(mountPoint, { mountPoint, fsType: where.fsType, device: where.device, usage, ...fullness, tier, volumes, measuredAt: now, forecast });
    await this.recordForecast(mountPoint, forecast, volumes);
    if (tier === previous) return;
    await this.store.transact((state) => {
      // Decided again under the lock: a concurrent sample may have recorded this change already.
      const from = state.filesystems[mountPoint]?.tier ?? 'ok';
      const to = tierOf(fullness, this.config.tiers, from);
      if (to === from) return { events: [], result: undefined };
      const pct = (Math.max(fullness.bytesRatio, fullness.inodeRatio) * 100).toFixed(1);
      const log = `Filesystem ${mountPoint} (${volumes.join(', ')}): ${from} → ${to} at ${pct}% used`;
      if (to === 'ok' || to === 'warning') this.logger.log(log);
      else this.logger.warn(log);
      return {
        events: [
          {
            type: 'filesystem.tier_changed',
            target: `filesystem:${mountPoint}`,
            payload: {
              mountpoint: mountPoint,
              from,
              to,
              used_ratio: roundRatio(fullness.bytesRatio),
              inode_ratio: roundRatio(fullness.inodeRatio),
              total_bytes: usage.totalBytes,
              available_bytes: usage.availableBytes,
              volumes,
            },
          },
        ],
        result: undefined,
      };
    });
  }

  /** Records when the forecast starts saying "full within 24 h", and when it stops (with hysteresis: 36 h). */
  private async recordForecast(mountPoint: string, forecast: Forecast, volumes: readonly string[]): Promise<void> {
    const warned = this.store.current.forecasts[mountPoint] !== undefined;
    const seconds = forecast.secondsUntilFull;
    const now = seconds !== null && seconds < FORECAST_WARN_S;
    const cleared = seconds === null || seconds > FORECAST_CLEAR_S;
    if (warned ? !cleared : !now) return;
    await this.store.transact((state) => {
      if ((state.forecasts[mountPoint] !== undefined) !== warned) return { events: [], result: undefined };
      return {
        events: [
          {
            type: 'filesystem.forecast_changed',
            target: `filesystem:${mountPoint}`,
            payload: {
              mountpoint: mountPoint,
              full_within_24h: !warned,
              seconds_until_full: seconds === null ? null : Math.round(seconds),
              growth_bytes_per_second: forecast.bytesPerSecond,
              volumes,
            },
          },
        ],
        result: undefined,
      };
    });
  }
}

/** Used shares of a filesystem's bytes (of what an unprivileged writer can use) and inodes. */
export function fullnessOf(usage: FilesystemUsage): Fullness {
  const denominator = usage.usedBytes + usage.availableBytes;
  return {
    bytesRatio: denominator > 0 ? usage.usedBytes / denominator : 0,
    inodeRatio: usage.totalInodes > 0 ? (usage.totalInodes - usage.freeInodes) / usage.totalInodes : 0,
  };
}
