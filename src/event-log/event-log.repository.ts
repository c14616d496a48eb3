import type { DeletionQuery, DeletionRecord, EventLogStats, EventQuery, EventRecord, NewEvent, StoredSnapshot } from './event.types.js';

/**
 * The event log's port. Append-only: it can add events and snapshots, read them, and compact what a snapshot
 * already covers. There is no update and no other delete. Implemented on TypeORM in
 * `adapters/database/typeorm-event-log.repository.ts`; an in-memory fake serves the service specs.
 */
export abstract class EventLogRepository {
  abstract readonly driver: 'sqlite' | 'postgres';
  /**
   * Appends events (and their deletion records) in one transaction; resolves once they are committed (durable),
   * with their seq. An event whose `uid` is in the log already is not written again: its stored record is
   * returned in its place. Storage failures are thrown as LogStorageError (`full`, `unavailable`).
   */
  abstract append(events: readonly NewEvent[]): Promise<EventRecord[]>;
  /**
   * Work for a later `append` of these events that needs no transaction (SQLite: staging a large run's deletion
   * records), done before the store's queue so that other writers do not wait behind it. Resolves with what undoes
   * it should `append` never come (a spooled write). None by default.
   */
  prepare(_events: readonly NewEvent[]): Promise<() => Promise<void>> {
    return Promise.resolve(async () => undefined);
  }
  /** Whether an event with this uid is in the log. */
  abstract hasUid(uid: string): Promise<boolean>;
  /** Deletion records of a path (relative to its volume), newest first. */
  abstract findDeletions(query: DeletionQuery): Promise<DeletionRecord[]>;
  abstract find(query: EventQuery): Promise<EventRecord[]>;
  /** Events after `afterSeq`, in order: for replay at start. */
  abstract readAfter(afterSeq: number): AsyncGenerator<EventRecord>;
  abstract latestSnapshot(): Promise<StoredSnapshot | undefined>;
  /** Records the state as of event `seq`. */
  abstract appendSnapshot(seq: number, version: number, state: unknown): Promise<void>;
  /**
   * Compaction, the only deletion: drops events that the latest snapshot covers (seq ≤ coveredSeq) and that
   * are older than `olderThan`, their deletion records, and snapshots older than the latest. Returns the number of
   * events dropped.
   */
  abstract compact(coveredSeq: number, olderThan: Date): Promise<number>;
  abstract lastSeq(): Promise<number>;
  abstract stats(): Promise<EventLogStats>;
}
