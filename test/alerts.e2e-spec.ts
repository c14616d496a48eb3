import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import type { EventRecord } from '../src/event-log/event.types.js';
import { nextCommitted } from './support/committed.js';
import { startSmtpReceiver, startWebhookReceiver } from './support/alert-receivers.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Alerts through real receivers: an SMTP server (smtp-server) and HTTP webhook receivers, signatures checked
 * with the reference Standard Webhooks implementation. One receiver answers 500 five times before it accepts;
 * another never accepts and must be reported as failing on the other channels.
 */
const SECRET = `whsec_${Buffer.from('a-test-secret-of-32-bytes-length!').toString('base64')}`;
let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let flaky: Awaited<ReturnType<typeof startWebhookReceiver>>;
let broken: Awaited<ReturnType<typeof startWebhookReceiver>>;
const failuresById = new Map<string, number>();

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  // Each alert is refused five times, then accepted.
  flaky = await startWebhookReceiver((body) => {
    const id = (JSON.parse(body) as { id: string }).id;
    const failures = failuresById.get(id) ?? 0;
    failuresById.set(id, failures + 1);
    return failures < 5 ? 500 : 200;
  });
  broken = await startWebhookReceiver(() => 503);
  app = await startTestApp({
    SM_SMTP_URL: smtp.url,
    SM_ALERT_EMAIL_FROM: 'storage-manager@example.test',
    SM_ALERT_EMAIL_TO: 'ops@example.test,oncall@example.test',
    SM_ALERT_WEBHOOK_URLS: `${flaky.url},${broken.url.replace('127.0.0.1', 'localhost')}`,
    SM_ALERT_WEBHOOK_SECRET: SECRET,
    // The flaky receiver's five refusals take ~31 s of backoff: it must not count as failing; the broken one must.
    SM_ALERT_CHANNEL_FAILING_SECONDS: '45',
  });
}, 30_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([smtp?.close(), flaky?.close(), broken?.close()]);
});

describe('alerts through real receivers', () => {
  it('POST /api/alerts/test reports each channel', async () => {
    const response = await rawRequest(app.url, 'POST', '/api/alerts/test');
    expect(response.status).toBe(200);
    const { channels } = response.json as { channels: Array<{ channel: string; ok: boolean; error: string | null }> };
    const byName = Object.fromEntries(channels.map((c) => [c.channel, c]));
    expect(byName.email).toMatchObject({ ok: true, error: null });
    expect(Object.values(byName).filter((c) => !c.ok).map((c) => c.error)).toEqual([expect.stringMatching(/answered (500|503)/), expect.stringMatching(/answered 503/)]);
    expect(smtp.mails.at(-1)?.subject).toBe('[TEST] storage-manager alert channel test');
  });

  it('delivers a blocked target\'s alert: email once, the webhook after five refusals with one id and valid signatures', async () => {
    const rec = path.join(app.volumesDir, 'cam', 'rec');
    mkdirSync(rec, { recursive: true });
    const raised = nextCommitted(app, (e): e is EventRecord<'alert.raised'> => e.type === 'alert.raised' && e.payload.alert.kind === 'blocked', 90_000);
    const flakyDelivered = nextCommitted(app, (e): e is EventRecord<'alert.delivered'> => e.type === 'alert.delivered' && e.payload.channel.startsWith('webhook:127.0.0.1'), 90_000);
    const body = JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 100 } });
    // Files younger than min_age_seconds (60 s) may not go: the target stays over its cap, blocked.
    for (let i = 0; i < 3; i++) writeFileSync(path.join(rec, `young-${i}.mp4`), Buffer.alloc(1000));
    expect((await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body })).status).toBe(201);

    const { alert } = (await raised).payload;
    expect(alert.title).toBe('[CRITICAL] cam:/rec over its cap, nothing more may be deleted');
    const delivered = await flakyDelivered;
    expect(delivered.payload).toMatchObject({ id: alert.id, attempts: 6 });

    const attempts = flaky.deliveries.filter((d) => d.headers['webhook-id'] === alert.id);
    expect(attempts.map((d) => d.status)).toEqual([500, 500, 500, 500, 500, 200]);
    const verifier = new Webhook(SECRET);
    for (const attempt of attempts) {
      const payload = verifier.verify(attempt.body, attempt.headers as Record<string, string>) as { id: string; text: string; kind: string };
      expect(payload).toMatchObject({ id: alert.id, kind: 'blocked' });
      expect(payload.text).toMatch(/^\[CRITICAL\] cam:\/rec over its cap/);
    }

    const mails = smtp.mails.filter((m) => m.messageId === `<${alert.id}@storage-manager>`);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ subject: alert.title, to: ['ops@example.test', 'oncall@example.test'] });
    expect(mails[0]!.raw).toMatch(/min_age_seconds/);
  }, 120_000);

  it('reports a channel that never recovers, through the other channels, while the alert waits for it', async () => {
    const failing = nextCommitted(app, (e): e is EventRecord<'channel.failing'> => e.type === 'channel.failing' && e.payload.channel.startsWith('webhook:localhost'), 90_000);
    const warned = nextCommitted(app, (e): e is EventRecord<'alert.raised'> => e.type === 'alert.raised' && e.payload.alert.kind === 'delivery_failing', 90_000);
    await failing;
    const { alert, channels } = (await warned).payload;
    expect(channels.some((c) => c.startsWith('webhook:localhost'))).toBe(false);
    expect(channels).toContain('email');
    const state = (await rawRequest(app.url, 'GET', '/api/alerts')).json as {
      active: Array<{ kind: string; scope: string }>;
      channels: Array<{ channel: string; pending: number; failing: { error: string } | null }>;
    };
    expect(state.active.map((a) => a.kind).sort()).toEqual(['blocked', 'delivery_failing']);
    const brokenChannel = state.channels.find((c) => c.channel.startsWith('webhook:localhost'));
    expect(brokenChannel).toMatchObject({ failing: { error: expect.stringMatching(/answered 503/) } });
    expect(brokenChannel!.pending).toBeGreaterThanOrEqual(1);
    expect(alert.title).toMatch(/^\[WARNING\] Alert channel webhook:localhost:\d+ failing$/);
  }, 120_000);
});
