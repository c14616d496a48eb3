import { EntitySchema } from 'typeorm';

/** Row shapes of the event-log tables. Private to the event-log adapter: nothing outside it sees ORM types. */
export interface EventRow {
  seq: number | string;
  at: number | string;
  type: string;
  target: string | null;
  payload: string;
  uid: string | null;
}

export interface DeletionRow {
  id: number | string;
  event_seq: number | string;
  at: number | string;
  volume_name: string;
  path: string;
  bytes: number | string;
}

export interface SnapshotRow {
  id: number | string;
  seq: number | string;
  at: number | string;
  version: number;
  state: string;
}

export const EventSchema = new EntitySchema<EventRow>({
  name: 'Event',
  tableName: 'events',
  columns: {
    seq: { type: 'bigint', primary: true, generated: 'increment' },
    at: { type: 'bigint' },
    type: { type: 'varchar', length: 64 },
    target: { type: 'varchar', length: 4400, nullable: true },
    payload: { type: 'text' },
    uid: { type: 'varchar', length: 64, nullable: true },
  },
  indices: [
    { name: 'events_type_seq', columns: ['type', 'seq'] },
    { name: 'events_target_seq', columns: ['target', 'seq'] },
    { name: 'events_at', columns: ['at'] },
    { name: 'events_uid', columns: ['uid'], unique: true },
  ],
});

/**
 * One row per deleted file, written in the transaction of the event that records its run. Cost per file: the
 * row (five values; the path is most of it) plus the path index — about 2 × (path length + 30) bytes.
 */
export const DeletionSchema = new EntitySchema<DeletionRow>({
  name: 'Deletion',
  tableName: 'deletions',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    event_seq: { type: 'bigint' },
    at: { type: 'bigint' },
    volume_name: { type: 'varchar', length: 255 },
    path: { type: 'varchar', length: 4400 },
    bytes: { type: 'bigint' },
  },
  indices: [
    { name: 'deletions_path', columns: ['path', 'event_seq'] },
    { name: 'deletions_event', columns: ['event_seq'] },
  ],
});

export const SnapshotSchema = new EntitySchema<SnapshotRow>({
  name: 'Snapshot',
  tableName: 'snapshots',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    seq: { type: 'bigint' },
    at: { type: 'bigint' },
    version: { type: 'integer' },
    state: { type: 'text' },
  },
  indices: [{ name: 'snapshots_seq', columns: ['seq'] }],
});

export const EVENT_LOG_ENTITIES = [EventSchema, SnapshotSchema, DeletionSchema];
