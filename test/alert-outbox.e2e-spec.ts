import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSmtpReceiver, startWebhookReceiver } from './support/alert-receivers.js';
import { freePort } from './support/net.js';
import { rawRequest } from './support/raw-http.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';

/**
 * The outbox across a crash and an outage: with the SMTP server down and the webhook receiver refusing, an alert
 * is committed and waits; the service is SIGKILLed; the receivers come back; the restarted service delivers it —
 * the same id on the webhook, the same Message-ID by mail — once each after the receivers deduplicate.
 */
let dir: string;
let service: ServiceProcess | undefined;
let webhookUp = false;
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>> | undefined;
/** What the first test left delivered: the blocked alert's id and the receivers' counts. */
let delivered: { id: string; webhooks: number; mails: number; env: Record<string, string> } | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-outbox-'));
  mkdirSync(path.join(dir, 'volumes', 'cam', 'rec'), { recursive: true });
  webhook = await startWebhookReceiver(() => (webhookUp ? 200 : 503));
});

afterAll(async () => {
  if (service && service.child.exitCode === null) {
    process.kill(service.pid, 'SIGTERM');
    await service.exited;
  }
  await webhook.close();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function alerts(url: string): Promise<{ active: Array<{ kind: string; id: string }>; channels: Array<{ channel: string; pending: number }> }> {
  return (await rawRequest(url, 'GET', '/api/alerts')).json as { active: Array<{ kind: string; id: string }>; channels: Array<{ channel: string; pending: number }> };
}

describe('alert outbox across SIGKILL and receiver outages', () => {
  it('delivers an alert queued before a SIGKILL once the receivers are back, with its ids unchanged', async () => {
    const smtpPort = await freePort(); // nothing listens there yet: the mail server is down
    const env = {
      SM_API_HOST: '127.0.0.1',
      SM_API_PORT: '0',
      SM_VOLUMES_DIR: path.join(dir, 'volumes'),
      SM_DATA_DIR: path.join(dir, 'data'),
      SM_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SM_ALERT_EMAIL_FROM: 'storage-manager@example.test',
      SM_ALERT_EMAIL_TO: 'ops@example.test',
      SM_ALERT_WEBHOOK_URLS: webhook.url,
    };
    service = spawnService(env, dir);
    let url = await service.ready;
    for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, 'volumes', 'cam', 'rec', `young-${i}.mp4`), Buffer.alloc(1000));
    const body = JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 100 } });
    expect((await rawRequest(url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body })).status).toBe(201);
    // Blocked (the files are too young to go): the alert is committed and both channels keep failing.
    await service.waitForOutput(/not delivered through webhook:.* \(attempt 2\)/);
    await service.waitForOutput(/not delivered through email \(attempt 2\)/);
    const before = await alerts(url);
    const blocked = before.active.find((a) => a.kind === 'blocked');
    expect(blocked).toBeDefined();
    expect(before.channels.map((c) => c.pending)).toEqual([1, 1]);
    const refused = webhook.deliveries.length;
    expect(refused).toBeGreaterThanOrEqual(2);

    process.kill(service.pid, 'SIGKILL');
    expect(await service.exited).toBe('SIGKILL');

    // Both receivers come back (the mail server on the port the manager was told), then the manager restarts.
    webhookUp = true;
    smtp = await startSmtpReceiver(smtpPort);
    service = spawnService(env, dir);
    url = await service.ready;
    await service.waitForOutput(/Outbox: 1 alert\(s\) still to deliver/);
    await service.waitForOutput(new RegExp(`Alert ${blocked!.id} delivered through webhook:`));
    await service.waitForOutput(new RegExp(`Alert ${blocked!.id} delivered through email`));
    expect((await alerts(url)).channels.map((c) => c.pending)).toEqual([0, 0]);

    const accepted = webhook.deliveries.filter((d) => d.status === 200);
    const ids = new Set(webhook.deliveries.map((d) => d.headers['webhook-id']));
    expect(ids.size).toBe(1); // every attempt, before and after the crash, carried the same id
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted[0]!.headers['webhook-id']).toBe(blocked!.id);
    const mails = smtp.mails.filter((m) => m.messageId === `<${blocked!.id}@storage-manager>`);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(1);
    expect(mails[0]!.subject).toBe('[CRITICAL] cam:/rec over its cap, nothing more may be deleted');
    delivered = { id: blocked!.id, webhooks: webhook.deliveries.length, mails: smtp.mails.length, env };
  }, 120_000);

  it('after another SIGKILL, the condition still holding is not alerted again: the raise is remembered, not repeated', async () => {
    const before = delivered!;
    process.kill(service!.pid, 'SIGKILL');
    expect(await service!.exited).toBe('SIGKILL');
    service = spawnService(before.env, dir);
    const url = await service.ready;
    // A cleanup of the target, run to its end: still blocked (the files are still too young), nothing new to say.
    const cleanup = await rawRequest(url, 'POST', '/api/cleanup', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ volume_name: 'cam', path: '/rec' }) });
    expect(cleanup.status).toBe(200);
    const state = await alerts(url);
    expect(state.active.filter((a) => a.kind === 'blocked').map((a) => a.id)).toEqual([before.id]);
    expect(state.channels.map((c) => c.pending)).toEqual([0, 0]);
    const raised = (await rawRequest(url, 'GET', '/api/events?type=alert.raised&limit=100')).json as { events: Array<{ payload: { alert: { id: string } } }> };
    expect(raised.events.map((e) => e.payload.alert.id)).toEqual([before.id]);
    expect(webhook.deliveries.length).toBe(before.webhooks);
    expect(smtp!.mails.length).toBe(before.mails);
  }, 120_000);
});
