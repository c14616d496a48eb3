import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { EventLogRepository } from '../../event-log/event-log.repository.js';
import { committedEvent, type EventLogStats, type EventQuery, type EventRecord, type NewEvent, type StoredSnapshot } from '../../event-log/event.types.js';
import { EventSchema, SnapshotSchema, type EventRow, type SnapshotRow } from './event-log.orm.js';

/**
 * The event log on TypeORM (SQLite or PostgreSQL). Append-only: it can add events and snapshots, read them,
 * and compact what a snapshot already covers. There is no update and no other delete.
 */
@Injectable()
export class TypeOrmEventLogRepository extends EventLogRepository {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
  }

  get driver(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /** Appends events in one transaction; resolves once they are committed (durable), with their seq. */
  async append(events: readonly NewEvent[]): Promise<EventRecord[]> {
    if (events.length === 0) return [];
    const at = this.clock.now();
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const stored: EventRecord[] = [];
      for (const event of events) {
        const result = await manager.insert(EventSchema, {
          at: at.getTime(),
          type: event.type,
          target: event.target ?? null,
          payload: JSON.stringify(event.payload),
        });
        const seq = Number((result.identifiers[0] as { seq: number | string }).seq);
        stored.push(committedEvent(event, seq, at));
      }
      return stored;
    });
  }

  async find(query: EventQuery): Promise<EventRecord[]> {
    const qb = this.dataSource.getRepository(EventSchema).createQueryBuilder('e');
    if (query.types && query.types.length > 0) qb.andWhere('e.type IN (:...types)', { types: query.types });
    if (query.typePrefix) qb.andWhere('e.type LIKE :prefix', { prefix: `${query.typePrefix}%` });
    if (query.target) qb.andWhere('e.target = :target', { target: query.target });
    if (query.afterSeq !== undefined) qb.andWhere('e.seq > :afterSeq', { afterSeq: query.afterSeq });
    if (query.since) qb.andWhere('e.at >= :since', { since: query.since.getTime() });
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
