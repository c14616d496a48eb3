import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EventBus, Topic } from '../common/event-bus.js';
import { SerialQueue } from '../common/serial-queue.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { EventLogRepository } from '../event-log/event-log.repository.js';
import type { EventRecord, NewEvent } from '../event-log/event.types.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { APP_VERSION } from '../version.js';
import { emptyState, STATE_VERSION, type ManagerState } from './state.model.js';
import { applyEvent } from './state.reducer.js';
import { upcast } from './state.upcasters.js';

/** Published after every commit, with the committed events (already applied to the state). */
export const EVENTS_COMMITTED = new Topic<readonly EventRecord[]>('events.committed');

/** How often old events are compacted away. */
export const COMPACTION_INTERVAL_SECONDS = 3600;

/**
 * Holds the projection of the event log in memory and is the only writer of the log for state changes.
 * `transact` serialises decisions: it hands the current state to a function that returns the events to
 * append, commits them durably, then applies them. A caller that gets a result back has its events committed.
 */
@Injectable()
export class StateStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StateStore.name);
  private readonly queue = new SerialQueue();
  private state: ManagerState = emptyState();
  private lastSeq = 0;
  private snapshotSeq = 0;
  private loaded = false;

  constructor(
    private readonly log: EventLogRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly scheduler: SchedulerService,
  ) {}

  /** Start-up: no request is served and no part starts before the state is rebuilt. */
  async onModuleInit(): Promise<void> {
    await this.load();
    await this.record([{ type: 'service.started', payload: { version: APP_VERSION, pid: process.pid } }]);
    this.scheduler.every('event-log-compaction', COMPACTION_INTERVAL_SECONDS, () => this.compact());
  }

  /** Last to stop among the parts that write (they depend on it): records the stop and snapshots. */
  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.drain();
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
  transact<T>(decide: (state: Readonly<ManagerState>) => { events: NewEvent[]; result: T }): Promise<T> {
    return this.queue.run(async () => {
      const { events, result } = decide(this.current);
      await this.commit(events);
      return result;
    });
  }

  /** Appends events whose effect needs no decision under the lock (facts observed elsewhere). */
  record(events: NewEvent[]): Promise<EventRecord[]> {
    return this.queue.run(() => this.commit(events));
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
