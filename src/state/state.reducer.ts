import { ONE_SHOT_KINDS, type EventRecord } from '../event-log/event.types.js';
import { alertKey, targetKey, targetRecord, type ManagerState, type TargetRecord } from './state.model.js';

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
    case 'target.watch_failed':
      updateTarget(state, key, { watch_problem: { since: at, error: event.payload.error } });
      return;
    case 'target.watch_recovered':
      updateTarget(state, key, { watch_problem: null });
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
    case 'alert.raised': {
      const { alert, channels } = event.payload;
      if (ONE_SHOT_KINDS.includes(alert.kind)) {
        // A report of something that happened: delivered, never active, never in cooldown.
        if (channels.length > 0) state.alerts.outbox[alert.id] = { alert, pending: channels, attempts: {} };
        return;
      }
      const key = alertKey(alert.scope, alert.kind, alert.tier);
      const active = state.alerts.active[key];
      const sent = channels.length > 0;
      state.alerts.active[key] = {
        id: alert.repeat && active ? active.id : alert.id,
        tier: alert.tier,
        since: alert.repeat && active ? active.since : at,
        sent: sent || (alert.repeat === true && active?.sent === true),
        last_sent_at: at,
        message: alert,
      };
      state.alerts.lastSent[`${key}|firing`] = at;
      if (sent) state.alerts.outbox[alert.id] = { alert, pending: channels, attempts: {} };
      return;
    }
    case 'alert.resolved': {
      const { alert, channels } = event.payload;
      const key = alertKey(alert.scope, alert.kind, alert.tier);
      delete state.alerts.active[key];
      state.alerts.lastSent[`${key}|resolved`] = at;
      if (channels.length > 0) state.alerts.outbox[alert.id] = { alert, pending: channels, attempts: {} };
      return;
    }
    case 'alert.suppressed': {
      const { scope, kind, tier, status, notified } = event.payload;
      const k = alertKey(scope, kind, tier);
      if (status === 'resolved') delete state.alerts.active[k];
      else if (!state.alerts.active[k]) state.alerts.active[k] = { id: '', tier, since: at, sent: notified === true, last_sent_at: null, message: null };
      return;
    }
    case 'alert.delivered': {
      const entry = state.alerts.outbox[event.payload.id];
      if (!entry) return;
      const pending = entry.pending.filter((c) => c !== event.payload.channel);
      if (pending.length === 0) delete state.alerts.outbox[event.payload.id];
      else state.alerts.outbox[event.payload.id] = { ...entry, pending };
      return;
    }
    case 'alert.delivery_failed': {
      const entry = state.alerts.outbox[event.payload.id];
      if (entry) state.alerts.outbox[event.payload.id] = { ...entry, attempts: { ...entry.attempts, [event.payload.channel]: event.payload.attempts } };
      return;
    }
    case 'channel.failing':
      state.alerts.failingChannels[event.payload.channel] = { since: at, error: event.payload.error };
      return;
    case 'channel.recovered':
      delete state.alerts.failingChannels[event.payload.channel];
      return;
    case 'filesystem.forecast_changed':
      if (event.payload.full_within_24h) state.forecasts[event.payload.mountpoint] = { since: at, seconds_until_full: event.payload.seconds_until_full };
      else delete state.forecasts[event.payload.mountpoint];
      return;
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
  if (next.last_cleanup === null && next.failures === 0 && next.blocked === null && next.tier === 'ok' && !next.watch_problem) delete state.targets[key];
  else state.targets[key] = next;
}
