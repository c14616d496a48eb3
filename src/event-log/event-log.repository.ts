import type { EventLogStats, EventQuery, EventRecord, NewEvent, StoredSnapshot } from './event.types.js';

/**
 * The event log's port. Append-only: it can add events and snapshots, read them, and compact what a snapshot
 * already covers. There is no update and no other delete. Implemented on TypeORM in
 * `adapters/database/typeorm-event-log.repository.ts`; an in-memory fake serves the service specs.
 */
export abstract class EventLogRepository {
  abstract readonly driver: 'sqlite' | 'postgres';
  /** Appends events in one transaction; resolves once they are committed (durable), with their seq. */
  abstract append(events: readonly NewEvent[]): Promise<EventRecord[]>;
  abstract find(query: EventQuery): Promise<EventRecord[]>;
  /** Events after `afterSeq`, in order: for replay at start. */
  abstract readAfter(afterSeq: number): AsyncGenerator<EventRecord>;
  abstract latestSnapshot(): Promise<StoredSnapshot | undefined>;
  /** Records the state as of event `seq`. */
  abstract appendSnapshot(seq: number, version: number, state: unknown): Promise<void>;
  /**
   * Compaction, the only deletion: drops events that the latest snapshot covers (seq ≤ coveredSeq) and that
   * are older than `olderThan`, and snapshots older than the latest. Returns the number of events dropped.
   */
  abstract compact(coveredSeq: number, olderThan: Date): Promise<number>;
  abstract lastSeq(): Promise<number>;
  abstract stats(): Promise<EventLogStats>;
}
