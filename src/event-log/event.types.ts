/**
 * The log's schema: every kind of event and the payload it carries. Events are immutable facts; all state is a
 * projection of them. A new kind is one line in `EventPayloads` (and one in EVENT_TYPES, which the compiler
 * keeps complete). Payload shapes only ever grow (new optional fields): events written by older versions must
 * still read back.
 */

/** ok < warning < critical < emergency (SPEC §7). */
export type Tier = 'ok' | 'warning' | 'critical' | 'emergency';

export const REGISTRATION_SOURCES = ['api', 'label', 'deploy', 'import'] as const;
export type RegistrationSource = (typeof REGISTRATION_SOURCES)[number];

export type RegistrationStatus = 'active' | 'pending';

export interface Quarantine {
  readonly since: string;
  readonly reason: string;
}

/** A registration as the log records it (in full, in `registration.created`/`registration.updated`). */
export interface Registration {
  readonly id: string;
  readonly volume_name: string;
  /** Relative to the volume root, normalised: `/` or `/a/b` (no trailing slash). */
  readonly path: string;
  readonly algorithm: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly description: string | null;
  readonly source: RegistrationSource;
  /** For label registrations: the owning container's id. */
  readonly owner: string | null;
  readonly status: RegistrationStatus;
  readonly quarantine: Quarantine | null;
  readonly created_at: string;
  readonly updated_at: string;
}

interface RegistrationRef {
  /** The registration's id. */
  readonly id: string;
}

export interface EventPayloads {
  'service.started': { readonly version: string; readonly pid: number };
  'service.stopped': { readonly reason: string };
  'registration.created': { readonly registration: Registration };
  'registration.updated': { readonly registration: Registration };
  'registration.removed': RegistrationRef & { readonly volume_name: string; readonly path: string; readonly reason: string };
  'registration.activated': RegistrationRef & { readonly volume_name: string };
  'registration.pending': RegistrationRef & { readonly volume_name: string };
  'registrations.imported': {
    readonly mode: 'merge' | 'replace';
    readonly dry_run: boolean;
    readonly created: number;
    readonly updated: number;
    readonly unchanged: number;
    readonly removed: number;
  };
  'maintenance.enabled': { readonly reason: string | null };
  'maintenance.disabled': { readonly reason: string | null };
  'quarantine.entered': RegistrationRef & { readonly reason: string };
  'quarantine.released': RegistrationRef;
  'log.compacted': { readonly dropped: number; readonly covered_seq: number; readonly before: string };
  'usage.sampled': RegistrationRef & { readonly bytes: number; readonly disk_bytes: number; readonly files: number };
  'usage.drift': RegistrationRef & { readonly bytes: number; readonly files: number; readonly bytes_after: number; readonly files_after: number };
  'cleanup.completed': RegistrationRef & {
    readonly trigger: string;
    readonly dry_run: boolean;
    readonly files: number;
    readonly bytes: number;
    readonly skipped: number;
    readonly errors: number;
    readonly duration_ms: number;
    /** The first deleted (or, in a dry run, planned) paths, relative to the target. */
    readonly first_paths: readonly string[];
  };
  'cleanup.failed': RegistrationRef & { readonly trigger: string; readonly error: string | null };
  'target.blocked': RegistrationRef & { readonly reason: string; readonly over_by: number; readonly unit: 'bytes' | 'files' };
  'target.unblocked': RegistrationRef;
  'target.tier_changed': RegistrationRef & {
    readonly from: Tier;
    readonly to: Tier;
    /** Why this tier: `bytes ≥ warning_bytes`, `blocked`, `quarantined`, … */
    readonly reason: string;
    readonly bytes: number;
  };
  'filesystem.tier_changed': {
    readonly mountpoint: string;
    readonly from: Tier;
    readonly to: Tier;
    readonly used_ratio: number;
    readonly inode_ratio: number;
    readonly total_bytes: number;
    readonly available_bytes: number;
    /** The volumes (and `(data directory)`) on this filesystem. */
    readonly volumes: readonly string[];
  };
}

export type EventType = keyof EventPayloads;

const KINDS: Record<EventType, true> = {
  'service.started': true,
  'service.stopped': true,
  'registration.created': true,
  'registration.updated': true,
  'registration.removed': true,
  'registration.activated': true,
  'registration.pending': true,
  'registrations.imported': true,
  'maintenance.enabled': true,
  'maintenance.disabled': true,
  'quarantine.entered': true,
  'quarantine.released': true,
  'log.compacted': true,
  'usage.sampled': true,
  'usage.drift': true,
  'cleanup.completed': true,
  'cleanup.failed': true,
  'target.blocked': true,
  'target.unblocked': true,
  'target.tier_changed': true,
  'filesystem.tier_changed': true,
};

/** Every kind of event, for validation of queries. */
export const EVENT_TYPES = Object.keys(KINDS) as readonly EventType[];

/** An event to append: its kind, the target key (`volume:/path`) it is about, if any, and its payload. */
export type NewEvent<K extends EventType = EventType> = {
  [T in K]: { readonly type: T; readonly target?: string | null; readonly payload: EventPayloads[T] };
}[K];

/** An event as committed: sequenced and timestamped. */
export type EventRecord<K extends EventType = EventType> = {
  [T in K]: { readonly seq: number; readonly at: Date; readonly type: T; readonly target: string | null; readonly payload: EventPayloads[T] };
}[K];

/** The record of an event committed as `seq` at `at`. */
export function committedEvent(event: NewEvent, seq: number, at: Date): EventRecord {
  return { seq, at, type: event.type, target: event.target ?? null, payload: event.payload } as EventRecord;
}

/** Narrows an event to one kind (for readers that filter the log by type). */
export function isEvent<K extends EventType>(event: EventRecord, type: K): event is Extract<EventRecord, { type: K }> {
  return event.type === type;
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
