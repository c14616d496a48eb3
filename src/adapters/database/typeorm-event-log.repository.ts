import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { TimeSlices } from '../../common/time-slices.js';
import { EventLogRepository } from '../../event-log/event-log.repository.js';
import {
  committedEvent,
  type DeletedFile,
  type DeletionQuery,
  type DeletionRecord,
  type EventLogStats,
  type EventQuery,
  type EventRecord,
  type NewEvent,
  type StoredSnapshot,
} from '../../event-log/event.types.js';
import { LogStorageError } from '../../event-log/log-storage.error.js';
import { DeletionSchema, EventSchema, SnapshotSchema, type EventRow, type SnapshotRow } from './event-log.orm.js';

/** Deletion records per INSERT statement (5 values each: well under either database's bound on parameters). */
const DELETION_ROWS_PER_INSERT = 500;
/** From this many records an event's rows are staged before its transaction (see stageDeletions). */
const STAGE_FROM_ROWS = 2000;
/**
 * Staged rows copied beside their event per statement, with a pause of the event loop between statements (inside the
 * transaction: still one commit). One INSERT … SELECT of a 50,000-file run's rows held the loop 60–90 ms.
 */
const COPY_ROWS_PER_STATEMENT = 5000;

/**
 * The event log on TypeORM (SQLite or PostgreSQL). Append-only: it can add events and snapshots, read them,
 * and compact what a snapshot already covers. There is no update and no other delete.
 */
@Injectable()
export class TypeOrmEventLogRepository extends EventLogRepository {
  /** Staging tables made so far (each gets a fresh name). */
  private stagings = 0;
  /** Events staged by prepare() ahead of their append, and their tables. */
  private readonly prepared = new Map<NewEvent, string>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
  }

  get driver(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /**
   * Appends events and their deletion records in one transaction; resolves once they are committed (durable),
   * with their seq. An event whose uid is stored already is returned as stored, not written again.
   */
  async append(events: readonly NewEvent[]): Promise<EventRecord[]> {
    if (events.length === 0) return [];
    const now = this.clock.now();
    const staged = new Map<NewEvent, string>();
    for (const event of events) {
      const table = this.prepared.get(event);
      if (table) staged.set(event, table);
      this.prepared.delete(event);
    }
    try {
      await this.stageDeletions(events.filter((e) => !staged.has(e)), staged);
      return await this.dataSource.transaction(async (manager: EntityManager) => {
        const stored: EventRecord[] = [];
        for (const event of events) {
          if (event.uid !== undefined) {
            const existing = await manager.getRepository(EventSchema).findOne({ where: { uid: event.uid } });
            if (existing) {
              stored.push(toRecord(existing));
              continue;
            }
          }
          const at = event.at ?? now;
          const result = await manager.insert(EventSchema, {
            at: at.getTime(),
            type: event.type,
            target: event.target ?? null,
            payload: JSON.stringify(event.payload),
            uid: event.uid ?? null,
          });
          const seq = Number((result.identifiers[0] as { seq: number | string }).seq);
          const table = staged.get(event);
          // Staged ahead (prepare) outside the queue, a slice can have fallen into another writer's transaction
          // that was rolled back: then the rows go in directly.
          if (table && !(await this.stagedCompletely(manager, table, event))) {
            await this.insertDeletions(manager, seq, at, event.deleted ?? []);
          } else if (table) {
            await this.copyStaged(manager, table, seq, at);
          } else if (event.deleted && event.deleted.length > 0) {
            await this.insertDeletions(manager, seq, at, event.deleted);
          }
          stored.push(committedEvent(event, seq, at));
        }
        return stored;
      });
    } catch (error) {
      throw storageError(error, this.driver) ?? error;
    } finally {
      for (const table of staged.values()) await this.dataSource.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    }
  }

  /**
   * Stages large runs' deletion records before the store's queue is entered (see stageDeletions): the staging of
   * one target's 50,000 records no longer keeps every other target's writes waiting. A failed staging is dropped
   * (append then inserts the rows itself).
   */
  override async prepare(events: readonly NewEvent[]): Promise<() => Promise<void>> {
    const staged = new Map<NewEvent, string>();
    const drop = async (): Promise<void> => {
      for (const [event, table] of staged) {
        this.prepared.delete(event);
        await this.dataSource.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      }
    };
    try {
      await this.stageDeletions(events, staged);
    } catch {
      await drop();
      return async () => undefined;
    }
    for (const [event, table] of staged) this.prepared.set(event, table);
    return drop;
  }

  /** The staged rows (in rowid order, the run's) into the deletions table, in slices of the event loop. */
  private async copyStaged(manager: EntityManager, table: string, seq: number, at: Date): Promise<void> {
    const rows = await manager.query<Array<{ last: number | null }>>(`SELECT max(rowid) AS last FROM ${table}`);
    const last = Number(rows[0]?.last ?? 0);
    const slices = new TimeSlices();
    for (let after = 0; after < last; after += COPY_ROWS_PER_STATEMENT) {
      await manager.query(
        `INSERT INTO deletions (event_seq, at, volume_name, path, bytes) SELECT ?, ?, volume_name, path, bytes FROM ${table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid`,
        [seq, at.getTime(), after, after + COPY_ROWS_PER_STATEMENT],
      );
      await slices.maybePause();
    }
  }

  private async stagedCompletely(manager: EntityManager, table: string, event: NewEvent): Promise<boolean> {
    const rows = (await manager.query(`SELECT count(*) AS n FROM ${table}`).catch(() => [{ n: -1 }])) as Array<{ n: number }>;
    return Number(rows[0]?.n) === (event.deleted?.length ?? 0);
  }

  /**
   * SQLite: the deletion records of a large run are first written to a table of this connection's own (TEMP, in
   * memory: never on disk, gone with a crash), 500 rows a statement, in slices of the event loop; the transaction
   * then copies them in one INSERT … SELECT beside their event. So the records still commit with their event, at
   * once or not at all, and the loop is held only by the copy and the commit instead of by every row's binding
   * (better-sqlite3 is synchronous: 50,000 rows were ~0.3 s at once). Staged by prepare(), outside the store's
   * queue, a slice may run inside another writer's transaction: append then checks the count before copying.
   */
  private async stageDeletions(events: readonly NewEvent[], staged: Map<NewEvent, string>): Promise<void> {
    if (this.driver !== 'sqlite') return;
    for (const event of events) {
      if (!event.deleted || event.deleted.length < STAGE_FROM_ROWS) continue;
      const table = `temp.deletions_staged_${++this.stagings}`;
      staged.set(event, table);
      await this.dataSource.query(`CREATE TEMP TABLE ${table.slice('temp.'.length)} (volume_name TEXT NOT NULL, path TEXT NOT NULL, bytes INTEGER NOT NULL)`);
      const slices = new TimeSlices();
      const files = event.deleted;
      for (let start = 0; start < files.length; start += DELETION_ROWS_PER_INSERT) {
        const chunk = files.slice(start, start + DELETION_ROWS_PER_INSERT);
        const params: Array<string | number> = [];
        for (const file of chunk) params.push(file.volume_name, file.path, file.bytes);
        await this.dataSource.query(`INSERT INTO ${table} (volume_name, path, bytes) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`, params);
        await slices.maybePause();
      }
    }
  }

  async hasUid(uid: string): Promise<boolean> {
    return (await this.dataSource.getRepository(EventSchema).count({ where: { uid } })) > 0;
  }

  async findDeletions(query: DeletionQuery): Promise<DeletionRecord[]> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(['d.volume_name AS volume_name', 'd.path AS path', 'd.bytes AS bytes', 'd.event_seq AS seq', 'e.at AS at', 'e.type AS type', 'e.target AS target', 'e.payload AS payload'])
      .from('deletions', 'd')
      .innerJoin('events', 'e', 'e.seq = d.event_seq')
      .where('d.path = :path', { path: query.path });
    if (query.volumeName !== undefined) qb.andWhere('d.volume_name = :volume', { volume: query.volumeName });
    const rows = await qb.orderBy('d.event_seq', 'DESC').limit(query.limit).getRawMany<RawDeletion>();
    return rows.map((row) => {
      const payload = JSON.parse(row.payload) as { trigger?: string; algorithm?: string; reason?: string; run?: string };
      return {
        volume_name: row.volume_name,
        path: row.path,
        bytes: Number(row.bytes),
        seq: Number(row.seq),
        type: row.type as DeletionRecord['type'],
        at: new Date(Number(row.at)),
        target: row.target,
        trigger: payload.trigger ?? null,
        algorithm: payload.algorithm ?? null,
        reason: payload.reason ?? null,
        run: payload.run ?? null,
      };
    });
  }

  /** Multi-row INSERTs: one statement per DELETION_ROWS_PER_INSERT files (a 20,000-file run is 40 statements). */
  private async insertDeletions(manager: EntityManager, seq: number, at: Date, files: readonly DeletedFile[]): Promise<void> {
    const postgres = this.driver === 'postgres';
    for (let start = 0; start < files.length; start += DELETION_ROWS_PER_INSERT) {
      const chunk = files.slice(start, start + DELETION_ROWS_PER_INSERT);
      const params: Array<string | number> = [];
      const tuples = chunk.map((file, i) => {
        params.push(seq, at.getTime(), file.volume_name, file.path, file.bytes);
        if (!postgres) return '(?, ?, ?, ?, ?)';
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
      });
      await manager.query(`INSERT INTO deletions (event_seq, at, volume_name, path, bytes) VALUES ${tuples.join(', ')}`, params);
    }
  }

  async find(query: EventQuery): Promise<EventRecord[]> {
    const qb = this.dataSource.getRepository(EventSchema).createQueryBuilder('e');
    if (query.types && query.types.length > 0) qb.andWhere('e.type IN (:...types)', { types: query.types });
    if (query.typePrefix) qb.andWhere('e.type LIKE :prefix', { prefix: `${query.typePrefix}%` });
    if (query.target) qb.andWhere('e.target = :target', { target: query.target });
    if (query.afterSeq !== undefined) qb.andWhere('e.seq > :afterSeq', { afterSeq: query.afterSeq });
    if (query.since) qb.andWhere('e.at >= :since', { since: query.since.getTime() });
    if (query.seqs) qb.andWhere(query.seqs.length > 0 ? 'e.seq IN (:...seqs)' : '1 = 0', { seqs: query.seqs });
    // Without a lower bound, return the latest `limit` events (still in ascending order).
    const latest = query.afterSeq === undefined && query.since === undefined;
    qb.orderBy('e.seq', latest ? 'DESC' : 'ASC').limit(query.limit);
    const rows = await qb.getMany();
    const records = rows.map(toRecord);
    return latest ? records.reverse() : records;
  }

  /** Events after `afterSeq`, in order, in pages: for replay at start. */
  async *readAfter(afterSeq: number, pageSize = 5000): AsyncGenerator<EventRecord> {
    let cursor = afterSeq;
    for (;;) {
      const rows = await this.dataSource
        .getRepository(EventSchema)
        .createQueryBuilder('e')
        .where('e.seq > :cursor', { cursor })
        .orderBy('e.seq', 'ASC')
        .limit(pageSize)
        .getMany();
      for (const row of rows) yield toRecord(row);
      if (rows.length < pageSize) return;
      cursor = Number(rows[rows.length - 1]!.seq);
    }
  }

  async latestSnapshot(): Promise<StoredSnapshot | undefined> {
    const row = await latestSnapshotRow(this.dataSource.manager);
    if (!row) return undefined;
    return { seq: Number(row.seq), at: new Date(Number(row.at)), version: row.version, state: JSON.parse(row.state) };
  }

  /** Records the state as of event `seq`. Snapshots are appended too; compaction drops the superseded ones. */
  async appendSnapshot(seq: number, version: number, state: unknown): Promise<void> {
    await this.dataSource.getRepository(SnapshotSchema).insert({
      seq,
      at: this.clock.now().getTime(),
      version,
      state: JSON.stringify(state),
    });
  }

  /**
   * Compaction, the only deletion: drops events that the latest snapshot covers (seq ≤ coveredSeq) and that
   * are older than `olderThan`, and snapshots older than the latest. Returns the number of events dropped.
   */
  async compact(coveredSeq: number, olderThan: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(EventSchema)
        .where('seq <= :coveredSeq', { coveredSeq })
        .andWhere('at < :olderThan', { olderThan: olderThan.getTime() })
        .execute();
      await manager
        .createQueryBuilder()
        .delete()
        .from(DeletionSchema)
        .where('event_seq <= :coveredSeq', { coveredSeq })
        .andWhere('at < :olderThan', { olderThan: olderThan.getTime() })
        .execute();
      const latest = await latestSnapshotRow(manager);
      if (latest) {
        await manager.createQueryBuilder().delete().from(SnapshotSchema).where('id <> :id', { id: latest.id }).execute();
      }
      return result.affected ?? 0;
    });
  }

  async lastSeq(): Promise<number> {
    const row = await this.dataSource
      .getRepository(EventSchema)
      .createQueryBuilder('e')
      .select('MAX(e.seq)', 'max')
      .getRawOne<{ max: number | string | null }>();
    return Number(row?.max ?? 0);
  }

  async stats(): Promise<EventLogStats> {
    const events = await this.dataSource.getRepository(EventSchema).count();
    const lastSeq = await this.lastSeq();
    return { events, lastSeq, sizeBytes: await this.sizeBytes(), driver: this.driver };
  }

  /** Bytes the log occupies: database file pages for SQLite, table relations for PostgreSQL. */
  async sizeBytes(): Promise<number> {
    if (this.driver === 'postgres') {
      const rows = await this.dataSource.query<Array<{ size: string | number }>>(
        "SELECT pg_total_relation_size('events') + pg_total_relation_size('snapshots') AS size",
      );
      return Number(rows[0]?.size ?? 0);
    }
    const pages = await this.dataSource.query<Array<{ page_count: number }>>('PRAGMA page_count');
    const size = await this.dataSource.query<Array<{ page_size: number }>>('PRAGMA page_size');
    return (pages[0]?.page_count ?? 0) * (size[0]?.page_size ?? 0);
  }

}

function latestSnapshotRow(manager: EntityManager): Promise<SnapshotRow | null> {
  return manager.getRepository(SnapshotSchema).createQueryBuilder('s').orderBy('s.seq', 'DESC').addOrderBy('s.id', 'DESC').limit(1).getOne();
}

interface RawDeletion {
  volume_name: string;
  path: string;
  bytes: number | string;
  seq: number | string;
  at: number | string;
  type: string;
  target: string | null;
  payload: string;
}

const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', '53100', 'EDQUOT']);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EIO', 'EROFS', '57P01', '57P02', '57P03']);
const UNAVAILABLE_MESSAGES = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|the database connection is not open|Connection is not established/i;

/**
 * The driver's error as a LogStorageError when it is about the storage (no space, database away, I/O error),
 * undefined when it is something else (a bug, a constraint).
 */
function storageError(error: unknown, driver: string): LogStorageError | undefined {
  const codes = [codeOf(error), codeOf((error as { driverError?: unknown } | null)?.driverError)].filter((c): c is string => c !== undefined);
  const message = error instanceof Error ? error.message : String(error);
  if (codes.some((c) => FULL_CODES.has(c)) || /database or disk is full|No space left on device/i.test(message)) {
    return new LogStorageError('full', `the ${driver} database has no space left: ${message}`, error);
  }
  const unavailable =
    codes.some((c) => UNAVAILABLE_CODES.has(c) || c.startsWith('SQLITE_IOERR') || c.startsWith('SQLITE_CANTOPEN') || c.startsWith('SQLITE_READONLY') || c.startsWith('08')) ||
    UNAVAILABLE_MESSAGES.test(message);
  return unavailable ? new LogStorageError('unavailable', `the ${driver} database cannot be written: ${message}`, error) : undefined;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** A row back as the event it records (the log holds only what `append` wrote, so its kind and payload agree). */
function toRecord(row: EventRow): EventRecord {
  return {
    seq: Number(row.seq),
    at: new Date(Number(row.at)),
    type: row.type,
    target: row.target,
    payload: JSON.parse(row.payload) as unknown,
  } as EventRecord;
}
