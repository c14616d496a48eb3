import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { SerialQueue } from '../common/serial-queue.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { EventLogRepository } from '../event-log/event-log.repository.js';
import type { EventRecord, NewEvent } from '../event-log/event.types.js';
import { applyEvent } from './state.reducer.js';
import { emptyState, STATE_VERSION, type ManagerState } from './state.model.js';

/**
 * Holds the projection of the event log in memory and is the only writer of the log for state changes.
 * `transact` serialises decisions: it hands the current state to a function that returns the events to
 * append, commits them durably, then applies them. A caller that gets a result back has its events committed.
 */
@Injectable()
export class StateStore {
  private readonly logger = new Logger(StateStore.name);
  private readonly queue = new SerialQueue();
  private state: ManagerState = emptyState();
  private lastSeq = 0;
  private snapshotSeq = 0;
  private loaded = false;
  private readonly subscribers: Array<(events: readonly EventRecord[]) => void> = [];

  constructor(
    private readonly log: EventLogRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Rebuilds the state from the latest snapshot and every later event. */
  async load(): Promise<{ snapshotSeq: number; replayed: number }> {
    const started = performance.now();
    const snapshot = await this.log.latestSnapshot();
    // Parts added to the state after a snapshot was written start empty.
    const state = snapshot && snapshot.version === STATE_VERSION ? { ...emptyState(), ...(snapshot.state as ManagerState) } : emptyState();
    const from = snapshot && snapshot.version === STATE_VERSION ? snapshot.seq : 0;
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

  /** Calls `listener` after every commit, with the committed events (already applied to the state). */
  subscribe(listener: (events: readonly EventRecord[]) => void): void {
    this.subscribers.push(listener);
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
    for (const listener of this.subscribers) {
      try {
        listener(stored);
      } catch (error) {
        this.logger.error(`A state subscriber failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
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
