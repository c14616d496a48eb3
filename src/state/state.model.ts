/** The manager's state: a projection of the event log, rebuilt from the latest snapshot plus later events. */

import type { AlertMessage, Registration } from '../event-log/event.types.js';
import type { Tier } from '../event-log/event.types.js';

export { REGISTRATION_SOURCES, type Quarantine, type Registration, type RegistrationSource, type RegistrationStatus } from '../event-log/event.types.js';

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

/** What the manager knows of one target beside its registration. */
export interface TargetRecord {
  /** The last real (not dry-run) cleanup. */
  readonly last_cleanup: LastCleanup | null;
  /** Consecutive failed cleanups (reset by a successful one or by unquarantine). */
  readonly failures: number;
  /** Set while the policy's cap cannot be met. */
  readonly blocked: BlockedState | null;
  /** From warning_bytes/critical_bytes; critical while blocked or quarantined. */
  readonly tier: Tier;
  readonly tier_since: string | null;
  /** Set while the target cannot be watched (sweeps keep it measured); absent in records made before it existed. */
  readonly watch_problem?: { readonly since: string; readonly error: string } | null;
}

/** What the manager knows of one filesystem behind the volumes (or the data directory), by mount point. */
export interface FilesystemRecord {
  readonly tier: Tier;
  readonly since: string;
}

/** An alert condition that holds now, per `scope|kind`. */
export interface ActiveAlert {
  /** The id of the raise (empty when the raise was suppressed). */
  readonly id: string;
  readonly tier: Tier;
  readonly since: string;
  /** Whether the raise was sent: a resolution is sent only if it was. */
  readonly sent: boolean;
  readonly last_sent_at: string | null;
  /** The last message sent for it (repeated as is for emergencies). */
  readonly message: AlertMessage | null;
}

/** An alert committed for delivery and not yet delivered on every channel (the outbox). */
export interface PendingDelivery {
  readonly alert: AlertMessage;
  readonly pending: readonly string[];
  /** Failed attempts so far, per channel. */
  readonly attempts: Readonly<Record<string, number>>;
}

export interface AlertsState {
  active: Record<string, ActiveAlert>;
  /** When each `scope|kind|tier|status` was last sent (the cooldown). */
  lastSent: Record<string, string>;
  /** By alert id. */
  outbox: Record<string, PendingDelivery>;
  /** Channels that keep failing, since when and why. */
  failingChannels: Record<string, { readonly since: string; readonly error: string }>;
}

export interface ManagerState {
  /** Keyed by targetKey(volume_name, path). */
  registrations: Record<string, Registration>;
  maintenance: MaintenanceState;
  /** Per target key; a target without a record has never been cleaned, failed, blocked or left the ok tier. */
  targets: Record<string, TargetRecord>;
  /** Per mount point: filesystems that have been out of the ok tier (a missing one is ok). */
  filesystems: Record<string, FilesystemRecord>;
  alerts: AlertsState;
  /** Filesystems forecast to fill within 24 hours, since when (by mount point). */
  forecasts: Record<string, { readonly since: string; readonly seconds_until_full: number | null }>;
}

export function emptyAlerts(): AlertsState {
  return { active: {}, lastSent: {}, outbox: {}, failingChannels: {} };
}

/** One alert per condition and tier: a filesystem at emergency has its warning, critical and emergency alerts active. */
export function alertKey(scope: string, kind: string, tier: string): string {
  return `${scope}|${kind}|${tier}`;
}

/**
 * The shape of the state, as written into snapshots. Every bump comes with an upcaster from the previous
 * version (`state.upcasters.ts`): a snapshot is never ignored, because compaction may have dropped the events
 * it covers.
 */
export const STATE_VERSION = 4;

export function emptyState(): ManagerState {
  return { registrations: {}, maintenance: { enabled: false, reason: null, since: null }, targets: {}, filesystems: {}, alerts: emptyAlerts(), forecasts: {} };
}

export const NO_TARGET_RECORD: TargetRecord = { last_cleanup: null, failures: 0, blocked: null, tier: 'ok', tier_since: null };

/** The record of a target (an empty one when it has none). */
export function targetRecord(state: Readonly<ManagerState>, key: string): TargetRecord {
  return state.targets[key] ?? NO_TARGET_RECORD;
}

/** The identity of a target, also used as the `target` of its events. */
export function targetKey(volumeName: string, path: string): string {
  return `${volumeName}:${path}`;
}
