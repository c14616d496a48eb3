import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../event-log/event.types.js';

/**
 * Events kept in memory, in order, while the database cannot take them: each gets a uid (so that writing it twice,
 * after a commit whose answer was lost, stores it once) and keeps its instant. Bounded: beyond `max` events new
 * ones are dropped and counted. Deletions are not lost with them: a run's intent stays on disk until its outcome
 * is in the log, and is reconciled against the disk at the next start.
 */
export class EventSpool {
  private readonly queue: NewEvent[] = [];
  private droppedCount = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.queue.length;
  }

  /** Events dropped since start (the metric). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Appends what fits; returns how many were dropped. */
  push(events: readonly NewEvent[], at: Date): number {
    let dropped = 0;
    for (const event of events) {
      if (this.queue.length >= this.max) {
        dropped++;
        continue;
      }
      this.queue.push({ ...event, uid: event.uid ?? randomUUID(), at: event.at ?? at });
    }
    this.droppedCount += dropped;
    return dropped;
  }

  /** The oldest `n` events (not removed). */
  head(n: number): readonly NewEvent[] {
    return this.queue.slice(0, n);
  }

  /** Removes the oldest `n` events (once they are committed). */
  shift(n: number): void {
    this.queue.splice(0, n);
  }
}
