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
  /** For label registrations: the owning container's name (a compose recreate keeps it). */
  readonly owner: string | null;
  readonly status: RegistrationStatus;
  readonly quarantine: Quarantine | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** What an alert is about and how bad: kinds of SPEC §7. */
export const ALERT_KINDS = ['filesystem_tier', 'target_tier', 'cleanup_failed', 'quarantined', 'blocked', 'emergency_deletion', 'forecast_full', 'watcher_error', 'delivery_failing', 'heartbeat', 'docker_unreachable', 'manager_storage', 'test'] as const;
/** Kinds that report a thing that happened, not a condition: every one is sent, none stays active. */
export const ONE_SHOT_KINDS: readonly AlertKind[] = ['emergency_deletion', 'heartbeat', 'test'];
export type AlertKind = (typeof ALERT_KINDS)[number];

/** One notification, as every channel renders it. Its id stays the same across retries and restarts. */
export interface AlertMessage {
  readonly id: string;
  /** What it is about: `filesystem:/mnt/data`, `target:cam:/rec`, `channel:webhook`, `manager`. */
  readonly scope: string;
  readonly kind: AlertKind;
  readonly tier: Tier;
  readonly status: 'firing' | 'resolved';
  /** One line a person can triage from a phone's lock screen. */
  readonly title: string;
  /** Plain text: what happened, where, how full, what was deleted, what to do. */
  readonly text: string;
  /** Structured facts (bytes, ratios, paths) for webhooks and Alertmanager annotations. */
  readonly details: Readonly<Record<string, string | number | boolean | null | readonly string[]>>;
  readonly at: string;
  /** For a resolution: the id of the alert it resolves. */
  readonly resolves?: string;
  /** A periodic repeat of an active emergency alert. */
  readonly repeat?: boolean;
}

interface ContainerRef {
  /** The container's name. */
  readonly container: string;
  readonly container_id: string;
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
  /** A container's label index that does not parse or validate as a registration (reported once per change). */
  'registration.label_invalid': ContainerRef & { readonly index: string; readonly label: string; readonly field: string; readonly message: string };
  /**
   * A label registration not honoured: the container does not mount the volume it names (the trust rule), the
   * path is outside what it mounts, or the registration itself is refused (an unmanageable volume…).
   */
  'registration.label_refused': ContainerRef & {
    readonly index: string;
    /** The volume as the label names it (a compose-level name such as `logs`, or the Engine's). */
    readonly volume: string;
    readonly path: string;
    readonly field: string;
    readonly reason: string;
  };
  /** A label claims a target another registration holds: the existing one stays. */
  'registration.label_conflict': ContainerRef & {
    readonly index: string;
    readonly volume_name: string;
    readonly path: string;
    readonly held_by_source: RegistrationSource;
    readonly held_by_owner: string | null;
  };
  'registrations.imported': {
    readonly mode: 'merge' | 'replace';
    readonly dry_run: boolean;
    readonly created: number;
    readonly updated: number;
    readonly unchanged: number;
    readonly removed: number;
  };
  /** A compose project's deploy-time registration changed something (PUT /api/projects/{project}/registrations). */
  'registrations.deployed': {
    readonly project: string;
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
    /** The policy that decided, and why (absent in events written before deletion records). */
    readonly algorithm?: string;
    readonly reason?: string;
    /** The run's id, also its deletion intent's (absent for dry runs and older events). */
    readonly run?: string;
  };
  /**
   * A run whose deletion intent was found open at start-up (the process stopped mid-deletion): what the disk
   * shows was deleted of what it planned. Every deleted file is in the deletion records with it.
   */
  'cleanup.interrupted': RegistrationRef & {
    readonly run: string;
    readonly trigger: string;
    readonly algorithm: string;
    /** When the run began deleting. */
    readonly started_at: string;
    readonly planned_files: number;
    readonly files: number;
    readonly bytes: number;
    readonly first_paths: readonly string[];
  };
  'cleanup.failed': RegistrationRef & { readonly trigger: string; readonly error: string | null };
  'target.blocked': RegistrationRef & { readonly reason: string; readonly over_by: number; readonly unit: 'bytes' | 'files' };
  'target.unblocked': RegistrationRef;
  /** The target cannot be watched (it is kept measured by sweeps only): recorded once, when that starts. */
  'target.watch_failed': RegistrationRef & { readonly error: string };
  /** A sweep found the target watched again with no watcher error since the previous one. */
  'target.watch_recovered': RegistrationRef;
  'target.tier_changed': RegistrationRef & {
    readonly from: Tier;
    readonly to: Tier;
    /** Why this tier, in words. */
    readonly reason: string;
    /** What decided it: the byte thresholds, or the blocked/quarantined state (alerted under their own kinds). */
    readonly cause: 'bytes' | 'blocked' | 'quarantined';
    readonly bytes: number;
  };
  /** An alert to deliver through `channels` (committed before any send: the outbox). */
  'alert.raised': { readonly alert: AlertMessage; readonly channels: readonly string[] };
  'alert.resolved': { readonly alert: AlertMessage; readonly channels: readonly string[] };
  /** The same alert was sent less than SM_ALERT_COOLDOWN_SECONDS ago: not sent again. */
  'alert.suppressed': {
    readonly scope: string;
    readonly kind: AlertKind;
    readonly tier: Tier;
    readonly status: 'firing' | 'resolved';
    readonly until: string | null;
    readonly reason: string;
    /** The person already knows of this tier (a resolution just sent said "now <tier>"): its end will be sent. */
    readonly notified: boolean;
  };
  'alert.delivered': { readonly id: string; readonly channel: string; readonly attempts: number };
  /** A failed attempt (the 1st, 2nd, 4th, 8th… are recorded; retries go on). */
  'alert.delivery_failed': { readonly id: string; readonly channel: string; readonly attempts: number; readonly error: string };
  'channel.failing': { readonly channel: string; readonly error: string; readonly pending: number };
  'channel.recovered': { readonly channel: string };
  /** An emergency cleanup of one filesystem: which targets gave what, and how full it was before and after. */
  'emergency.completed': {
    readonly mountpoint: string;
    readonly dry_run: boolean;
    readonly automatic: boolean;
    /** Why it ran as a dry run, when it did (`maintenance mode`, `requested`). */
    readonly dry_run_reason: string | null;
    readonly before_ratio: number;
    readonly after_ratio: number;
    readonly files: number;
    readonly bytes: number;
    readonly targets: ReadonlyArray<{ readonly target: string; readonly priority: number; readonly files: number; readonly bytes: number; readonly first_paths: readonly string[] }>;
    /** Why it stopped: below the critical threshold, or no target left with an emergency policy. */
    readonly outcome: 'below_critical' | 'targets_exhausted' | 'nothing_to_do';
  };
  /** The forecast of a filesystem started (or stopped) saying it fills within 24 hours. */
  'filesystem.forecast_changed': {
    readonly mountpoint: string;
    readonly full_within_24h: boolean;
    readonly seconds_until_full: number | null;
    readonly growth_bytes_per_second: number | null;
    readonly volumes: readonly string[];
  };
  /**
   * The manager's own disk (SM_DATA_DIR) has no room left: the reserve file was released so that the log can
   * go on recording what cleanup does; requests that change registrations answer 507 until space returns.
   */
  'state.disk_full': { readonly path: string; readonly available_bytes: number; readonly reserve_bytes: number; readonly error: string | null };
  /** Space returned on the manager's disk and the reserve file was re-created. */
  'state.disk_recovered': { readonly path: string; readonly available_bytes: number; readonly full_seconds: number };
  /**
   * The database could not take writes from `since` (recorded once it could again, in order): the events of
   * that period were spooled and are the ones that follow.
   */
  'database.unavailable': { readonly since: string; readonly error: string };
  /** The database takes writes again: `spooled` events kept meanwhile were written, `dropped` were lost to the spool's bound. */
  'database.available': { readonly unavailable_seconds: number; readonly spooled: number; readonly dropped: number };
  /** The opt-in heartbeat (SM_ALERT_HEARTBEAT_HOURS): silence must never look like health. */
  'service.heartbeat': { readonly filesystems: number; readonly targets: number; readonly worst_tier: Tier; readonly active_alerts: number };
  /** The Docker Engine cannot be asked (SM_DOCKER_HOST): nothing is removed or made pending because of it. */
  'docker.unreachable': { readonly host: string; readonly error: string };
  /** The Docker Engine answers (again, or for the first time since start). */
  'docker.reachable': { readonly host: string; readonly version: string | null; readonly api_version: string | null; readonly unreachable_seconds: number | null };
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
  'registration.label_invalid': true,
  'registration.label_refused': true,
  'registration.label_conflict': true,
  'registrations.imported': true,
  'registrations.deployed': true,
  'maintenance.enabled': true,
  'maintenance.disabled': true,
  'quarantine.entered': true,
  'quarantine.released': true,
  'log.compacted': true,
  'usage.sampled': true,
  'usage.drift': true,
  'cleanup.completed': true,
  'cleanup.interrupted': true,
  'cleanup.failed': true,
  'target.blocked': true,
  'target.unblocked': true,
  'target.watch_failed': true,
  'target.watch_recovered': true,
  'target.tier_changed': true,
  'filesystem.tier_changed': true,
  'emergency.completed': true,
  'filesystem.forecast_changed': true,
  'service.heartbeat': true,
  'docker.unreachable': true,
  'docker.reachable': true,
  'state.disk_full': true,
  'state.disk_recovered': true,
  'database.unavailable': true,
  'database.available': true,
  'alert.raised': true,
  'alert.resolved': true,
  'alert.suppressed': true,
  'alert.delivered': true,
  'alert.delivery_failed': true,
  'channel.failing': true,
  'channel.recovered': true,
};

/** Every kind of event, for validation of queries. */
export const EVENT_TYPES = Object.keys(KINDS) as readonly EventType[];

/** One file a cleanup deleted, as the deletion records keep it (with the event of its run). */
export interface DeletedFile {
  readonly volume_name: string;
  /** Relative to the volume root, with a leading slash (`/recordings/2026/01/a.mp4`), in the file-name escape. */
  readonly path: string;
  readonly bytes: number;
}

/**
 * An event to append: its kind, the target key (`volume:/path`) it is about, if any, and its payload.
 * `uid` makes the append idempotent (an event whose uid is in the log already is not written again: spooled
 * events, and a run's outcome against its reconciliation); `at` keeps the instant of an event written late
 * (spooled); `deleted` are the deletion records of a cleanup outcome, written in the same transaction.
 */
export type NewEvent<K extends EventType = EventType> = {
  [T in K]: {
    readonly type: T;
    readonly target?: string | null;
    readonly payload: EventPayloads[T];
    readonly uid?: string;
    readonly at?: Date;
    readonly deleted?: readonly DeletedFile[];
  };
}[K];

/** An event as committed: sequenced and timestamped. */
export type EventRecord<K extends EventType = EventType> = {
  [T in K]: { readonly seq: number; readonly at: Date; readonly type: T; readonly target: string | null; readonly payload: EventPayloads[T] };
}[K];

/** The record of an event committed as `seq` at `at`. */
export function committedEvent(event: NewEvent, seq: number, at: Date): EventRecord {
  // The uid and deletion records stay in the log's own columns and table; the record is the event itself.
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
  /** Only these events (by seq). */
  readonly seqs?: readonly number[];
}

/** A deletion record joined with the event of its run: "was this path deleted, when, by which rule and trigger". */
export interface DeletionRecord extends DeletedFile {
  /** The event that recorded it (`cleanup.completed` or `cleanup.interrupted`). */
  readonly seq: number;
  readonly type: 'cleanup.completed' | 'cleanup.interrupted';
  readonly at: Date;
  readonly target: string | null;
  readonly trigger: string | null;
  readonly algorithm: string | null;
  readonly reason: string | null;
  readonly run: string | null;
}

export interface DeletionQuery {
  readonly path: string;
  readonly volumeName?: string;
  readonly limit: number;
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
