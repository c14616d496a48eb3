import type { EventRecord } from '../event-log/event.types.js';
import { targetKey, type ManagerState, type Registration } from './state.model.js';

/**
 * Applies one event to the state, in place (replay of a long log must not copy the state per event).
 * Pure apart from that mutation: the same events always give the same state.
 */
export function applyEvent(state: ManagerState, event: EventRecord): void {
  const at = event.at.toISOString();
  const payload = event.payload;
  switch (event.type) {
    case 'registration.created':
    case 'registration.updated': {
      const registration = payload.registration as Registration;
      state.registrations[targetKey(registration.volume_name, registration.path)] = registration;
      return;
    }
    case 'registration.removed': {
      const key = targetKey(payload.volume_name as string, payload.path as string);
      delete state.registrations[key];
      delete state.cleanups[key];
      delete state.failures[key];
      delete state.blocked[key];
      return;
    }
    case 'cleanup.completed': {
      const key = event.target ?? '';
      delete state.failures[key];
      if (payload.dry_run !== true) {
        state.cleanups[key] = {
          at,
          trigger: String(payload.trigger),
          files_removed: Number(payload.files ?? 0),
          bytes_freed: Number(payload.bytes ?? 0),
        };
      }
      return;
    }
    case 'cleanup.failed': {
      const key = event.target ?? '';
      state.failures[key] = (state.failures[key] ?? 0) + 1;
      return;
    }
    case 'target.blocked':
      state.blocked[event.target ?? ''] = {
        since: at,
        reason: typeof payload.reason === 'string' ? payload.reason : '',
        over_by: Number(payload.over_by ?? 0),
        unit: payload.unit === 'files' ? 'files' : 'bytes',
      };
      return;
    case 'target.unblocked':
      delete state.blocked[event.target ?? ''];
      return;
    case 'registration.activated':
    case 'registration.pending': {
      const key = event.target ?? '';
      const current = state.registrations[key];
      if (current) {
        state.registrations[key] = {
          ...current,
          status: event.type === 'registration.activated' ? 'active' : 'pending',
          updated_at: at,
        };
      }
      return;
    }
    case 'quarantine.entered':
    case 'quarantine.released': {
      const key = event.target ?? '';
      const current = state.registrations[key];
      if (current) {
        state.registrations[key] = {
          ...current,
          quarantine: event.type === 'quarantine.entered' ? { since: at, reason: typeof payload.reason === 'string' ? payload.reason : '' } : null,
        };
        if (event.type === 'quarantine.released') delete state.failures[key];
      }
      return;
    }
    case 'maintenance.enabled':
      state.maintenance = { enabled: true, reason: (payload.reason as string | null) ?? null, since: at };
      return;
    case 'maintenance.disabled':
      state.maintenance = { enabled: false, reason: null, since: at };
      return;
    default:
      return;
  }
}
