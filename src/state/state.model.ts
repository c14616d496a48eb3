/** The manager's state: a projection of the event log, rebuilt from the latest snapshot plus later events. */

export const REGISTRATION_SOURCES = ['api', 'label', 'deploy', 'import'] as const;
export type RegistrationSource = (typeof REGISTRATION_SOURCES)[number];

export type RegistrationStatus = 'active' | 'pending';

export interface Quarantine {
  readonly since: string;
  readonly reason: string;
}

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

export interface MaintenanceState {
  readonly enabled: boolean;
  readonly reason: string | null;
  readonly since: string | null;
}

/** The last real (not dry-run) cleanup of a target. */
export interface LastCleanup {
  readonly at: string;
  readonly trigger: string;
  readonly files_removed: number;
  readonly bytes_freed: number;
}

export interface BlockedState {
  readonly since: string;
  readonly reason: string;
  readonly over_by: number;
  readonly unit: 'bytes' | 'files';
}

export interface ManagerState {
  /** Keyed by targetKey(volume_name, path). */
  registrations: Record<string, Registration>;
  maintenance: MaintenanceState;
  /** Per target key. */
  cleanups: Record<string, LastCleanup>;
  /** Consecutive failed cleanups per target key (reset by a successful one or by unquarantine). */
  failures: Record<string, number>;
  /** Targets whose cap cannot be met, per target key. */
  blocked: Record<string, BlockedState>;
}

export const STATE_VERSION = 1;

export function emptyState(): ManagerState {
  return { registrations: {}, maintenance: { enabled: false, reason: null, since: null }, cleanups: {}, failures: {}, blocked: {} };
}

/** The identity of a target, also used as the `target` of its events. */
export function targetKey(volumeName: string, path: string): string {
  return `${volumeName}:${path}`;
}
