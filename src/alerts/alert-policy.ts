import type { AlertMessage, NewEvent } from '../event-log/event.types.js';
import { alertKey, type AlertsState } from '../state/state.model.js';
import type { AlertIntent } from './alert-rules.js';

export interface CooldownSettings {
  readonly cooldownSeconds: number;
  readonly emergencyRepeatSeconds: number;
}

/**
 * Whether an intent is sent, purely (SPEC §7). An alert is one condition at one tier (a filesystem filling up has
 * its warning, then critical, then emergency alert active at once, each resolved once). The same alert is not sent again
 * within the cooldown, but an escalation to a tier not sent lately goes at once, an emergency may come back
 * after its repeat period, and a resolution is sent once and only if its raise was. Returns the events to
 * commit: `alert.raised`/`alert.resolved` (the outbox: every channel delivers them) or `alert.suppressed`.
 */
export function decideAlert(
  intent: AlertIntent,
  alerts: Readonly<AlertsState>,
  now: Date,
  settings: CooldownSettings,
  channels: readonly string[],
  newId: () => string,
  /** The intent follows a resolution just sent for the same alert (a tier left for a lower one). */
  afterSentResolution = false,
): NewEvent[] {
  const key = alertKey(intent.scope, intent.kind, intent.tier);
  const active = alerts.active[key];
  const message = (status: AlertMessage['status'], extra: Partial<AlertMessage> = {}): AlertMessage => ({
    id: newId(),
    scope: intent.scope,
    kind: intent.kind,
    tier: intent.tier,
    status,
    ...intent.content,
    at: now.toISOString(),
    ...extra,
  });
  if (intent.action === 'notify') return [{ type: 'alert.raised', target: intent.scope, payload: { alert: message('firing'), channels } }];
  if (intent.action === 'resolve') {
    if (!active) return [];
    if (!active.sent) {
      return [{ type: 'alert.suppressed', target: intent.scope, payload: { scope: intent.scope, kind: intent.kind, tier: intent.tier, status: 'resolved', until: null, reason: 'its raise was not sent', notified: false } }];
    }
    return [{ type: 'alert.resolved', target: intent.scope, payload: { alert: message('resolved', { resolves: active.id }), channels } }];
  }
  if (active) return [];
  const last = alerts.lastSent[`${key}|firing`];
  const sinceLast = last === undefined ? Infinity : (now.getTime() - Date.parse(last)) / 1000;
  const window = intent.tier === 'emergency' ? Math.min(settings.cooldownSeconds, settings.emergencyRepeatSeconds) : settings.cooldownSeconds;
  if (sinceLast < window) {
    const until = new Date(Date.parse(last!) + window * 1000).toISOString();
    return [{ type: 'alert.suppressed', target: intent.scope, payload: { scope: intent.scope, kind: intent.kind, tier: intent.tier, status: 'firing', until, reason: 'sent within the cooldown', notified: afterSentResolution } }];
  }
  return [{ type: 'alert.raised', target: intent.scope, payload: { alert: message('firing'), channels } }];
}

/** Active emergencies whose last send is older than the repeat period: sent again (each repeat a new id). */
export function emergencyRepeats(alerts: Readonly<AlertsState>, now: Date, settings: CooldownSettings, channels: readonly string[], newId: () => string): NewEvent[] {
  const events: NewEvent[] = [];
  for (const active of Object.values(alerts.active)) {
    if (active.tier !== 'emergency' || !active.sent || active.last_sent_at === null || !active.message) continue;
    if ((now.getTime() - Date.parse(active.last_sent_at)) / 1000 < settings.emergencyRepeatSeconds) continue;
    const previous = active.message;
    const alert: AlertMessage = { ...previous, id: newId(), at: now.toISOString(), repeat: true, title: previous.title.startsWith('[REPEAT]') ? previous.title : `[REPEAT] ${previous.title}` };
    events.push({ type: 'alert.raised', target: previous.scope, payload: { alert, channels } });
  }
  return events;
}
