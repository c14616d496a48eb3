import type { BlockedState, LastCleanup, MaintenanceState, ManagerState, Registration, TargetRecord } from './state.model.js';
import { emptyAlerts, STATE_VERSION } from './state.model.js';

/** Version 1 (until 0.1): per-target facts in three maps beside the registrations. */
export interface StateV1 {
  registrations: Record<string, Registration>;
  maintenance: MaintenanceState;
  cleanups: Record<string, LastCleanup>;
  failures: Record<string, number>;
  blocked: Record<string, BlockedState>;
}

/** Version 2: per-target facts in one record per target, no tiers yet. */
export interface StateV2 {
  registrations: Record<string, Registration>;
  maintenance: MaintenanceState;
  targets: Record<string, Omit<TargetRecord, 'tier' | 'tier_since'>>;
}

/** v1 → v2: the three per-target maps become one record per target. */
function v1ToV2(state: StateV1): StateV2 {
  const targets: StateV2['targets'] = {};
  const keys = new Set([...Object.keys(state.cleanups ?? {}), ...Object.keys(state.failures ?? {}), ...Object.keys(state.blocked ?? {})]);
  for (const key of keys) {
    targets[key] = { last_cleanup: state.cleanups?.[key] ?? null, failures: state.failures?.[key] ?? 0, blocked: state.blocked?.[key] ?? null };
  }
  return { registrations: state.registrations ?? {}, maintenance: state.maintenance, targets };
}

/** v2 → v3: tiers and alerts. Every target and filesystem starts in the ok tier (the first sampling after start sets them); no alert is active or pending. */
function v2ToV3(state: StateV2): ManagerState {
  const targets: Record<string, TargetRecord> = {};
  for (const [key, record] of Object.entries(state.targets ?? {})) targets[key] = { ...record, tier: 'ok', tier_since: null };
  return { registrations: state.registrations ?? {}, maintenance: state.maintenance, targets, filesystems: {}, alerts: emptyAlerts(), forecasts: {} };
}

/** v3 → v4: active alerts are kept per tier (`scope|kind` becomes `scope|kind|tier`). */
function v3ToV4(state: ManagerState): ManagerState {
  const active: ManagerState['alerts']['active'] = {};
  for (const [key, alert] of Object.entries(state.alerts?.active ?? {})) active[`${key}|${alert.tier}`] = alert;
  return { ...state, alerts: { ...(state.alerts ?? emptyAlerts()), active } };
}

/**
 * One function per STATE_VERSION step: `UPCASTERS[n]` turns a version-n state into version n+1. Bumping
 * STATE_VERSION without adding its step fails the upcaster spec.
 */
export const UPCASTERS: Readonly<Record<number, (state: never) => unknown>> = {
  1: v1ToV2,
  2: v2ToV3,
  3: v3ToV4,
};

/** The snapshot cannot be read by this release; start-up stops rather than drop what it holds. */
export class SnapshotVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotVersionError';
  }
}

/** Brings a snapshot's state from `version` up to `target` (the current STATE_VERSION), step by step. */
export function upcast(
  version: number,
  state: unknown,
  target: number = STATE_VERSION,
  upcasters: Readonly<Record<number, (state: never) => unknown>> = UPCASTERS,
): ManagerState {
  if (!Number.isInteger(version) || version < 1) {
    throw new SnapshotVersionError(`The event log holds a state snapshot of invalid version ${String(version)}: refusing to start rather than lose the state it holds`);
  }
  if (version > target) {
    throw new SnapshotVersionError(
      `The event log holds a state snapshot of version ${version}, written by a newer release; this release understands up to version ${target}. ` +
        'Run the newer release (or restore a database backup taken with this one): starting would lose the state that snapshot holds.',
    );
  }
  let current = state;
  for (let v = version; v < target; v++) {
    const step = upcasters[v];
    if (!step) throw new SnapshotVersionError(`No upcaster from state version ${v} to ${v + 1}: refusing to start rather than lose the state a snapshot holds`);
    current = step(current as never);
  }
  return current as ManagerState;
}
