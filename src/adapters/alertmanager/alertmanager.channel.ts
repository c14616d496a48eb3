import { AlertChannel } from '../../alerts/alert-channel.port.js';
import type { AlertMessage } from '../../event-log/event.types.js';

/** How long Alertmanager holds a firing alert without news: the manager re-posts active alerts well within it. */
export const ALERTMANAGER_HOLD_MS = 15 * 60_000;

/**
 * Alerts posted to Alertmanager's v2 API, for those who already route, group, silence and inhibit there.
 * Labels identify the condition (`alertname`, `severity`, `scope` and `mountpoint` or `volume`/`path`), so a
 * resolution (`endsAt` now) ends the same alert; a firing alert carries `endsAt` ALERTMANAGER_HOLD_MS ahead and
 * is re-posted while it lasts (`refresh`), as Prometheus does with its own alerts.
 */
export class AlertmanagerChannel extends AlertChannel {
  readonly name: string;
  override readonly refreshesActive = true;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {
    super();
    this.name = `alertmanager:${new URL(url).host}`;
  }

  async send(alert: AlertMessage): Promise<void> {
    const response = await fetch(new URL('/api/v2/alerts', this.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(toAlertmanager(alert, new Date())),
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${this.name} answered ${response.status}: ${text.slice(0, 200)}`);
  }
}

/** The labels of an alert: stable for one condition, bounded (no file paths). */
export function alertLabels(alert: AlertMessage): Record<string, string> {
  const labels: Record<string, string> = {
    alertname: `StorageManager${alert.kind.replace(/(^|_)(\w)/g, (_, __: string, c: string) => c.toUpperCase())}`,
    severity: alert.status === 'resolved' && alert.tier === 'ok' ? 'warning' : alert.tier,
    scope: alert.scope,
    service: 'storage-manager',
  };
  if (alert.scope.startsWith('filesystem:')) labels.mountpoint = alert.scope.slice('filesystem:'.length);
  if (alert.scope.startsWith('target:')) {
    const target = alert.scope.slice('target:'.length);
    const colon = target.indexOf(':');
    labels.volume = target.slice(0, colon);
    labels.path = target.slice(colon + 1);
  }
  if (alert.scope.startsWith('channel:')) labels.channel = alert.scope.slice('channel:'.length);
  return labels;
}

/**
 * One condition at one severity is one Alertmanager alert: a filesystem at emergency has its warning, critical
 * and emergency alerts firing, as Prometheus' own tier rules would (inhibit the lower ones in Alertmanager, see
 * prometheus/alertmanager.yml); a resolution ends its own severity.
 */
function toAlertmanager(alert: AlertMessage, now: Date): Array<Record<string, unknown>> {
  const endsAt = alert.status === 'resolved' ? now : new Date(now.getTime() + ALERTMANAGER_HOLD_MS);
  const annotations = { summary: alert.title, description: alert.text, alert_id: alert.id };
  return [{ labels: alertLabels(alert), annotations, startsAt: alert.at, endsAt: endsAt.toISOString() }];
}
