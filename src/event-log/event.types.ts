/**
 * Every kind of event the log holds. Events are immutable facts; all state is a projection of them.
 * Later parts of the product (cleanups, tiers, alerts) add their kinds here.
 */
export const EVENT_TYPES = [
  'service.started',
  'service.stopped',
  'registration.created',
  'registration.updated',
  'registration.removed',
  'registration.activated',
  'registration.pending',
  'registrations.imported',
  'maintenance.enabled',
  'maintenance.disabled',
  'quarantine.entered',
  'quarantine.released',
  'log.compacted',
  'usage.sampled',
  'usage.drift',
  'cleanup.completed',
  'cleanup.failed',
  'target.blocked',
  'target.unblocked',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  readonly type: EventType;
  /** The target key (`volume:/path`) the event is about, if any. */
  readonly target?: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface EventRecord {
  readonly seq: number;
  readonly at: Date;
  readonly type: EventType;
  readonly target: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface EventQuery {
  readonly limit: number;
  readonly types?: readonly string[];
  readonly typePrefix?: string;
  readonly target?: string;
  /** Events with seq strictly greater than this. */
  readonly afterSeq?: number;
  /** Events at or after this instant. */
  readonly since?: Date;
}

export interface StoredSnapshot {
  readonly seq: number;
  readonly at: Date;
  readonly version: number;
  readonly state: unknown;
}

export interface EventLogStats {
  readonly events: number;
  readonly lastSeq: number;
  readonly sizeBytes: number;
  readonly driver: 'sqlite' | 'postgres';
}
