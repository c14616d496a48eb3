import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventRecord } from '../src/event-log/event.types.js';
import { nextCommitted } from './support/committed.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A webhook receiver that takes the request and never answers (a hung proxy, a full receiver): each attempt
 * ends at SM_ALERT_SEND_TIMEOUT_SECONDS as a failed one, the channel is reported failing, and cleanup goes on.
 */
let app: TestApp;
let hung: http.Server;
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  hung = http.createServer((_req, res) => void held.push(res));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  app = await startTestApp({
    SM_ALERT_WEBHOOK_URLS: `http://127.0.0.1:${(hung.address() as AddressInfo).port}/hook`,
    SM_ALERT_SEND_TIMEOUT_SECONDS: '1',
    SM_ALERT_CHANNEL_FAILING_SECONDS: '2',
  });
});

afterAll(async () => {
  await app?.close();
  for (const res of held) res.destroy();
  await new Promise((resolve) => hung.close(resolve));
});

describe('a receiver that never answers', () => {
  it('times each attempt out, reports the channel failing, and does not hold cleanup back', async () => {
    const failedAttempt = nextCommitted(app, (e): e is EventRecord<'alert.delivery_failed'> => e.type === 'alert.delivery_failed', 20_000);
    const failing = nextCommitted(app, (e): e is EventRecord<'channel.failing'> => e.type === 'channel.failing', 30_000);
    // A blocked target raises an alert (its files are too young to go).
    const rec = path.join(app.volumesDir, 'cam', 'rec');
    mkdirSync(rec, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(path.join(rec, `young-${i}.mp4`), Buffer.alloc(1000));
    const blocked = JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 100 } });
    expect((await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body: blocked })).status).toBe(201);

    const attempt = (await failedAttempt).payload;
    expect(attempt.error).toMatch(/timeout|aborted/i);
    expect((await failing).payload.channel).toMatch(/^webhook:127\.0\.0\.1:\d+$/);
    expect(held.length).toBeGreaterThanOrEqual(2); // the receiver got the requests and kept them

    // Meanwhile another target is cleaned as usual: 500 files over a 10-file cap, gone on request.
    const logs = path.join(app.volumesDir, 'cam', 'logs');
    mkdirSync(logs, { recursive: true });
    for (let i = 0; i < 500; i++) writeFileSync(path.join(logs, `l-${String(i).padStart(4, '0')}.log`), 'x');
    const keep = JSON.stringify({ volume_name: 'cam', path: '/logs', algorithm: 'keep_n_latest', params: { keep_count: 10, min_age_seconds: 0 } });
    expect((await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body: keep })).status).toBe(201);
    const run = await rawRequest(app.url, 'POST', '/api/cleanup', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ volume_name: 'cam', path: '/logs' }) });
    expect(run.status).toBe(200);
    expect(readdirSync(logs)).toHaveLength(10);
    const alerts = (await rawRequest(app.url, 'GET', '/api/alerts')).json as { channels: Array<{ pending: number; failing: { error: string } | null }> };
    expect(alerts.channels[0]).toMatchObject({ pending: expect.any(Number), failing: { error: expect.stringMatching(/timeout|aborted/i) } });
    expect(alerts.channels[0]!.pending).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
