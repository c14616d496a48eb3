import type { EventRecord } from '../event-log/event.types.js';
import { targetKey, targetRecord, type ManagerState, type TargetRecord } from './state.model.js';

/**
 * Applies one event to the state, in place (replay of a long log must not copy the state per event).
 * Pure apart from that mutation: the same events always give the same state.
 */
export function applyEvent(state: ManagerState, event: EventRecord): void {
  const at = event.at.toISOString();
  const key = event.target ?? '';
  switch (event.type) {
    case 'registration.created':
    case 'registration.updated': {
      const { registration } = event.payload;
      state.registrations[targetKey(registration.volume_name, registration.path)] = registration;
      return;
    }
    case 'registration.removed': {
      const removed = targetKey(event.payload.volume_name, event.payload.path);
      delete state.registrations[removed];
      delete state.targets[removed];
      return;
    }
    case 'cleanup.completed': {
      const { payload } = event;
      const last_cleanup = payload.dry_run
        ? targetRecord(state, key).last_cleanup
        : { at, trigger: payload.trigger, files_removed: payload.files, bytes_freed: payload.bytes };
      updateTarget(state, key, { failures: 0, last_cleanup });
      return;
    }
    case 'cleanup.failed':
      updateTarget(state, key, { failures: targetRecord(state, key).failures + 1 });
      return;
    case 'target.blocked': {
      const { reason, over_by, unit } = event.payload;
      updateTarget(state, key, { blocked: { since: at, reason, over_by, unit } });
      return;
    }
    case 'target.unblocked':
      updateTarget(state, key, { blocked: null });
      return;
    case 'registration.activated':
    case 'registration.pending': {
      const current = state.registrations[key];
      if (current) {
        state.registrations[key] = { ...current, status: event.type === 'registration.activated' ? 'active' : 'pending', updated_at: at };
      }
      return;
    }
    case 'quarantine.entered': {
      const current = state.registrations[key];
      if (current) state.registrations[key] = { ...current, quarantine: { since: at, reason: event.payload.reason } };
      return;
    }
    case 'quarantine.released': {
      const current = state.registrations[key];
      if (current) {
        state.registrations[key] = { ...current, quarantine: null };
        updateTarget(state, key, { failures: 0 });
      }
      return;
    }
    case 'target.tier_changed':
      updateTarget(state, key, { tier: event.payload.to, tier_since: at });
      return;
    case 'filesystem.tier_changed': {
      const { mountpoint, to } = event.payload;
      if (to === 'ok') delete state.filesystems[mountpoint];
      else state.filesystems[mountpoint] = { tier: to, since: at };
      return;
    }
    case 'maintenance.enabled':
      state.maintenance = { enabled: true, reason: event.payload.reason, since: at };
      return;
    case 'maintenance.disabled':
      state.maintenance = { enabled: false, reason: null, since: at };
      return;
    default:
      return;
  }
}

/** Changes part of a target's record; a record back to all-empty is dropped (the state stays small). */
function updateTarget(state: ManagerState, key: string, change: Partial<TargetRecord>): void {
  const next = { ...targetRecord(state, key), ...change };
  if (next.last_cleanup === null && next.failures === 0 && next.blocked === null && next.tier === 'ok') delete state.targets[key];
  else state.targets[key] = next;
}
