import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EventBus, Topic } from '../common/event-bus.js';
import { DatabaseUnavailableError, InsufficientStorageError } from '../common/errors.js';
import { SerialQueue } from '../common/serial-queue.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { EventLogRepository } from '../event-log/event-log.repository.js';
import type { EventRecord, NewEvent } from '../event-log/event.types.js';
import { isLogStorageError, type LogStorageError } from '../event-log/log-storage.error.js';
import { StateDiskService, stateDiskEvents, type StateDiskChange } from '../event-log/state-disk.service.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { APP_VERSION } from '../version.js';
import { EventSpool } from './event-spool.js';
import { LogOutage, type LogWriteStatus } from './log-outage.js';
import { emptyState, STATE_VERSION, type ManagerState } from './state.model.js';
import { applyEvent } from './state.reducer.js';
import { upcast } from './state.upcasters.js';

/** Published after every commit, with the committed events (already applied to the state). */
export const EVENTS_COMMITTED = new Topic<readonly EventRecord[]>('events.committed');

/** How often old events are compacted away. */
export const COMPACTION_INTERVAL_SECONDS = 3600;
/** How often the room left on the manager's disk is looked at (one statfs). */
export const DISK_CHECK_SECONDS = 2;
/** Spooled events written per transaction. */
const FLUSH_BATCH = 500;

/** The option of a transaction made for a request (an API call): refused with 507 while the manager's disk is full. */
export const REQUEST_WRITE = { request: true } as const;

/**
 * Holds the projection of the event log in memory and is the only writer of the log for state changes.
 * `transact` serialises decisions: it hands the current state to a function that returns the events to
 * append, commits them durably, then applies them. A caller that gets a result back has its events committed.
 *
 * When the log cannot be written (SPEC §8): a decision (`transact`) fails with a clear error — 507 for a request
 * when the manager's disk is full, 503 while the database is away — and nothing of it is applied; a fact
 * (`record`: what cleanup did, a tier seen) is never lost to it: on no space the reserve file is released and the
 * write tried again, and otherwise the facts are spooled in memory, in order, and written (and applied) once the
 * database takes them, reconnecting with backoff. Cleanup therefore never waits for the database.
 */
@Injectable()
export class StateStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StateStore.name);
  private readonly queue = new SerialQueue();
  private state: ManagerState = emptyState();
  private lastSeq = 0;
  private snapshotSeq = 0;
  private loaded = false;
  private readonly spool: EventSpool;
  private outage: LogOutage | undefined;
  /** Calls of record() waiting in the queue. */
  private queuedRecords = 0;
  private stopped = false;

  constructor(
    private readonly log: EventLogRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly scheduler: SchedulerService,
    private readonly disk: StateDiskService,
  ) {
    this.spool = new EventSpool(config.eventLog.spoolMaxEvents);
  }

  /** Start-up: no request is served and no part starts before the state is rebuilt. */
  async onModuleInit(): Promise<void> {
    await this.load();
    const change = await this.disk.start();
    await this.record([...this.diskEvents(change), { type: 'service.started', payload: { version: APP_VERSION, pid: process.pid } }]);
    this.scheduler.every('event-log-compaction', COMPACTION_INTERVAL_SECONDS, () => this.compact());
    this.scheduler.every('state-disk', DISK_CHECK_SECONDS, () => this.checkDisk());
  }

  /** Last to stop among the parts that write (they depend on it): records the stop and snapshots. */
  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.drain();
    this.stopped = true;
    clearTimeout(this.outage?.timer);
    if (this.outage) await this.queue.run(() => this.flush()).catch(() => false);
    if (this.spool.size > 0) this.logger.error(`${this.spool.size} spooled events could not be written before the stop`);
    try {
      await this.record([{ type: 'service.stopped', payload: { reason: signal ?? 'shutdown' } }]);
      await this.snapshot();
    } catch (error) {
      this.logger.warn(`Could not record the stop: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Rebuilds the state from the latest snapshot and every later event. A snapshot of an older state version
   * is upcast (never ignored: compaction may have dropped the events it covers); one of a newer version stops
   * start-up (SnapshotVersionError).
   */
  async load(): Promise<{ snapshotSeq: number; replayed: number }> {
    const started = performance.now();
    const snapshot = await this.log.latestSnapshot();
    const state = snapshot ? upcast(snapshot.version, snapshot.state) : emptyState();
    if (snapshot && snapshot.version !== STATE_VERSION) {
      this.logger.log(`Snapshot at seq ${snapshot.seq} upcast from state version ${snapshot.version} to ${STATE_VERSION}`);
    }
    const from = snapshot?.seq ?? 0;
    let replayed = 0;
    let last = from;
    for await (const event of this.log.readAfter(from)) {
      applyEvent(state, event);
      last = event.seq;
      replayed++;
    }
    this.state = state;
    this.lastSeq = last;
    this.snapshotSeq = from;
    this.loaded = true;
    this.logger.log(
      `State rebuilt: snapshot at seq ${from}, ${replayed} later events replayed, ` +
        `${Object.keys(state.registrations).length} registrations (${Math.round(performance.now() - started)} ms)`,
    );
    return { snapshotSeq: from, replayed };
  }

  /** The seq of the last event applied: the projection changes only when this does. */
  get version(): number {
    return this.lastSeq;
  }

  /** A read-only view of the current state. Do not mutate. */
  get current(): Readonly<ManagerState> {
    if (!this.loaded) throw new Error('StateStore used before load()');
    return this.state;
  }

  /**
   * Decides and commits atomically with respect to other transactions. `decide` sees the current state and
   * returns the events to append (or none) and a result computed from them.
   */
  transact<T>(decide: (state: Readonly<ManagerState>) => { events: NewEvent[]; result: T }, options: { request?: boolean } = {}): Promise<T> {
    return this.queue.run(async () => {
      if (options.request) {
        await this.noteDiskChange(this.disk.check());
        // The reserve's room is for the record of what cleanup does, not for new registrations.
        if (this.disk.full) throw new InsufficientStorageError(this.disk.fullMessage());
      }
      if ((this.outage || this.spool.size > 0) && !(await this.flush())) throw this.outageError();
      const { events, result } = decide(this.current);
      try {
        await this.commit(events);
      } catch (error) {
        if (!isLogStorageError(error)) throw error;
        if (error.kind === 'full') {
          const change = this.disk.noteNoSpace(error.message);
          if (change && !options.request) {
            // An internal decision (a tier, an alert) may use the released room, as facts do.
            await this.commit([...this.diskEvents(change), ...events]).catch((again: unknown) => this.failDecision(again));
            return result;
          }
          await this.noteDiskChange(change);
          throw new InsufficientStorageError(this.disk.fullMessage());
        }
        this.failDecision(error);
      }
      return result;
    });
  }

  /**
   * Appends events whose effect needs no decision under the lock (facts observed elsewhere). While the log cannot
   * be written they are spooled (resolving with no records): the caller never waits for the database.
   */
  record(events: NewEvent[]): Promise<EventRecord[]> {
    if (events.length === 0) return Promise.resolve([]);
    if (this.outage && this.queuedRecords === 0) {
      // Behind what waits already, without queueing behind a write that may hang on a database that is away.
      this.toSpool(events);
      return Promise.resolve([]);
    }
    if (!events.some((e) => (e.deleted?.length ?? 0) > 0)) return this.enqueueRecord(events);
    // A run's deletion records are staged first, outside the queue: other targets' writes do not wait behind them.
    return this.log.prepare(events).then((release) => this.enqueueRecord(events).finally(release));
  }

  private enqueueRecord(events: NewEvent[]): Promise<EventRecord[]> {
    // Facts recorded before are still queued (behind a write that began before the outage): after them, in order.
    this.queuedRecords++;
    return this.queue.run(() => {
      this.queuedRecords--;
      return this.commitOrSpool(events);
    });
  }

  /** Whether the log takes writes, and what waits in the spool. */
  writeStatus(): LogWriteStatus {
    const outage = this.outage;
    return {
      status: outage ? outage.kind : 'ok',
      since: outage?.since.toISOString() ?? null,
      error: outage?.error ?? null,
      spooled: this.spool.size,
      dropped: this.spool.dropped,
    };
  }

  /** Writes a snapshot of the current state now (also done every SM_SNAPSHOT_EVERY_EVENTS events). */
  snapshot(): Promise<number> {
    return this.queue.run(async () => {
      await this.writeSnapshot();
      return this.snapshotSeq;
    });
  }

  /** Drops events covered by the latest snapshot and older than the retention period. */
  compact(): Promise<number> {
    return this.queue.run(async () => {
      await this.writeSnapshot();
      const cutoff = new Date(this.clock.now().getTime() - this.config.eventLog.retentionDays * 86_400_000);
      const dropped = await this.log.compact(this.snapshotSeq, cutoff);
      if (dropped > 0) {
        await this.commit([{ type: 'log.compacted', payload: { dropped, covered_seq: this.snapshotSeq, before: cutoff.toISOString() } }]);
        this.logger.log(`Event log compacted: ${dropped} events before ${cutoff.toISOString()} dropped`);
      }
      return dropped;
    });
  }

  /** Waits for every pending transaction to finish (used at shutdown). */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  private async commitOrSpool(events: NewEvent[]): Promise<EventRecord[]> {
    if (this.outage || this.spool.size > 0) {
      this.toSpool(events);
      return [];
    }
    try {
      return await this.commit(events);
    } catch (error) {
      if (!isLogStorageError(error)) throw error;
      let failure: LogStorageError = error;
      if (error.kind === 'full') {
        const change = this.disk.noteNoSpace(error.message);
        if (change) {
          // The reserve was just released: its room takes these facts, with the record of the full disk first.
          try {
            return await this.commit([...this.diskEvents(change), ...events]);
          } catch (again) {
            if (!isLogStorageError(again)) throw again;
            failure = again;
            events = [...this.diskEvents(change), ...events];
          }
        }
      }
      this.beginOutage(failure);
      this.toSpool(events);
      return [];
    }
  }

  private toSpool(events: readonly NewEvent[]): void {
    const dropped = this.spool.push(events, this.clock.now());
    if (this.outage?.noteSpooled(events.length - dropped, dropped)) {
      this.logger.error(
        `Event spool full (${this.spool.size} events, SM_EVENT_SPOOL_MAX_EVENTS): further events are dropped until the database takes writes again; ` +
          'deletions stay on record through their intents, reconciled against the disk at the next start',
      );
    }
  }

  private beginOutage(error: LogStorageError): void {
    if (this.outage) {
      this.outage.error = error.message;
      return;
    }
    this.outage = new LogOutage(error.kind, this.clock.now(), error);
    this.logger.error(`The event log cannot be written (${error.message}): events are spooled in memory and written once it can`);
    // The first spooled event says when and why; it is written before the others.
    this.toSpool([this.outage.startEvent()]);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    const outage = this.outage;
    if (!outage || this.stopped) return;
    clearTimeout(outage.timer);
    outage.timer = setTimeout(() => {
      void this.queue.run(() => this.flush()).then((done) => {
        if (done || !this.outage) return;
        this.outage.backOff();
        this.scheduleFlush();
      });
    }, outage.delayMs);
    outage.timer.unref();
  }

  /** Writes the spool, in order, in batches (inside the queue). True once it is empty and the outage is over. */
  private async flush(): Promise<boolean> {
    while (this.spool.size > 0) {
      const batch = this.spool.head(FLUSH_BATCH);
      try {
        await this.commit([...batch]);
      } catch (error) {
        if (!isLogStorageError(error)) {
          this.logger.error(`Spooled events could not be written: ${error instanceof Error ? error.message : String(error)}`);
        } else if (this.outage) {
          this.outage.error = error.message;
        }
        return false;
      }
      this.spool.shift(batch.length);
    }
    const outage = this.outage;
    if (!outage) return true;
    const { dropped } = outage;
    const seconds = outage.seconds(this.clock.now());
    try {
      await this.commit([outage.endEvent(this.clock.now())]);
    } catch {
      return false;
    }
    clearTimeout(outage.timer);
    this.outage = undefined;
    this.logger.log(`The event log takes writes again after ${seconds} s: ${outage.spooled} spooled events written${dropped > 0 ? `, ${dropped} dropped` : ''}`);
    return true;
  }

  private async checkDisk(): Promise<void> {
    await this.queue.run(async () => this.noteDiskChange(this.disk.check()));
  }

  /** Records a change of the manager's disk (inside the queue). */
  private async noteDiskChange(change: StateDiskChange | undefined): Promise<void> {
    if (change) await this.commitOrSpool(this.diskEvents(change));
  }

  private diskEvents(change: StateDiskChange | undefined): NewEvent[] {
    return stateDiskEvents(change, this.disk.directory);
  }

  private outageError(): DatabaseUnavailableError | InsufficientStorageError {
    if (this.outage?.kind === 'full') return new InsufficientStorageError(this.disk.fullMessage());
    return new DatabaseUnavailableError(
      `The event log's database cannot be written (${this.outage?.error ?? 'unknown error'}); the request was not applied. ` +
        'Cleanups go on and their records are kept until it can; try again later.',
    );
  }

  private failDecision(error: unknown): never {
    if (!isLogStorageError(error)) throw error;
    if (error.kind === 'full') {
      this.disk.noteNoSpace(error.message);
      throw new InsufficientStorageError(this.disk.fullMessage());
    }
    this.beginOutage(error);
    throw this.outageError();
  }

  private async commit(events: NewEvent[]): Promise<EventRecord[]> {
    if (events.length === 0) return [];
    const stored = await this.log.append(events);
    for (const event of stored) {
      applyEvent(this.state, event);
      this.lastSeq = event.seq;
    }
    this.bus.publish(EVENTS_COMMITTED, stored);
    if (this.lastSeq - this.snapshotSeq >= this.config.eventLog.snapshotEveryEvents) {
      // The events are committed already: a failed snapshot is retried later, never reported as a failed commit.
      await this.writeSnapshot().catch((error: unknown) =>
        this.logger.warn(`Snapshot failed, will retry: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    return stored;
  }

  private async writeSnapshot(): Promise<void> {
    if (this.lastSeq === this.snapshotSeq) return;
    await this.log.appendSnapshot(this.lastSeq, STATE_VERSION, this.state);
    this.snapshotSeq = this.lastSeq;
    this.logger.debug(`Snapshot written at seq ${this.lastSeq}`);
  }
}
