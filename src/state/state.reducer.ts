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
      delete state.registrations[targetKey(payload.volume_name as string, payload.path as string)];
      return;
    }
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
