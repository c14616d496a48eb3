import { createHmac } from 'node:crypto';
import { AlertChannel } from '../../alerts/alert-channel.port.js';
import type { AlertMessage } from '../../event-log/event.types.js';

/** The signing key of a Standard Webhooks secret (`whsec_` + base64), or any other string's own bytes. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * Alerts as JSON POSTs, signed the Standard Webhooks way: `webhook-id` (the alert's id, the same on every
 * retry, so receivers can deduplicate), `webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256
 * of `id.timestamp.body`). The body carries a human `text` (what Slack, Mattermost or ntfy-style receivers show)
 * beside the structured fields. Any 2xx is accepted; anything else is retried by the outbox.
 */
export class WebhookChannel extends AlertChannel {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    name?: string,
    private readonly timeoutMs = 10_000,
  ) {
    super();
    // The URL itself can hold a token (chat webhooks do): only its host is ever shown.
    this.name = name ?? `webhook:${new URL(url).host}`;
  }

  async send(alert: AlertMessage): Promise<void> {
    const body = JSON.stringify({
      type: alert.status === 'resolved' ? 'alert.resolved' : 'alert.firing',
      text: `${alert.title}\n${alert.text}`,
      id: alert.id,
      status: alert.status,
      kind: alert.kind,
      tier: alert.tier,
      scope: alert.scope,
      title: alert.title,
      summary: alert.text,
      details: alert.details,
      at: alert.at,
      resolves: alert.resolves ?? null,
      repeat: alert.repeat === true,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'storage-manager', 'webhook-id': alert.id, 'webhook-timestamp': String(timestamp) };
    if (this.secret) {
      const signature = createHmac('sha256', webhookKey(this.secret)).update(`${alert.id}.${timestamp}.${body}`).digest('base64');
      headers['webhook-signature'] = `v1,${signature}`;
    }
    const response = await fetch(this.url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`${this.name} answered ${response.status}`);
  }
}
