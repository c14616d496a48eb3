import { EntitySchema } from 'typeorm';

/** Row shapes of the event-log tables. Private to the event-log adapter: nothing outside it sees ORM types. */
export interface EventRow {
  seq: number | string;
  at: number | string;
  type: string;
  target: string | null;
  payload: string;
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
  },
  indices: [
    { name: 'events_type_seq', columns: ['type', 'seq'] },
    { name: 'events_target_seq', columns: ['target', 'seq'] },
    { name: 'events_at', columns: ['at'] },
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

export const EVENT_LOG_ENTITIES = [EventSchema, SnapshotSchema];
