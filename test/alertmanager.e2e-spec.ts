import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventRecord } from '../src/event-log/event.types.js';
import { nextCommitted } from './support/committed.js';
import { freePort } from './support/net.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Alerts posted to a real Alertmanager 0.25 (Debian's prometheus-alertmanager), started on 127.0.0.1 and stopped by PID. */
let dir: string;
let alertmanager: ChildProcess;
let amUrl: string;
let app: TestApp;

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-am-'));
  writeFileSync(path.join(dir, 'alertmanager.yml'), 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n');
  const port = await freePort();
  amUrl = `http://127.0.0.1:${port}`;
  alertmanager = spawn(
    'prometheus-alertmanager',
    [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  alertmanager.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  // Ready once it says it listens (its own log line), or it failed to start.
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (/Listening on|listening on/.test(log)) resolve();
    };
    alertmanager.stderr!.on('data', check);
    alertmanager.once('exit', (code) => reject(new Error(`prometheus-alertmanager exited ${code}: ${log}`)));
    alertmanager.once('error', (error) => reject(new Error(`prometheus-alertmanager is needed (apt-get install prometheus-alertmanager): ${error.message}`)));
  });
  app = await startTestApp({ SM_ALERTMANAGER_URL: amUrl });
}, 30_000);

afterAll(async () => {
  await app?.close();
  if (alertmanager?.pid && alertmanager.exitCode === null) {
    const exited = new Promise((resolve) => alertmanager.once('exit', resolve));
    process.kill(alertmanager.pid, 'SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('Alertmanager channel', () => {
  it('posts a firing alert with labels a route can match, and ends it when it resolves', async () => {
    const rec = path.join(app.volumesDir, 'cam', 'rec');
    mkdirSync(rec, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(path.join(rec, `young-${i}.mp4`), Buffer.alloc(1000));
    const delivered = nextCommitted(app, (e): e is EventRecord<'alert.delivered'> => e.type === 'alert.delivered' && e.payload.channel.startsWith('alertmanager:'));
    const body = JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 100 } });
    expect((await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body })).status).toBe(201);
    await delivered;

    const firing = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];
    expect(firing).toEqual([
      expect.objectContaining({
        labels: { alertname: 'StorageManagerBlocked', severity: 'critical', scope: 'target:cam:/rec', service: 'storage-manager', volume: 'cam', path: '/rec' },
        annotations: expect.objectContaining({ summary: '[CRITICAL] cam:/rec over its cap, nothing more may be deleted' }),
        status: expect.objectContaining({ state: 'active' }),
      }),
    ]);

    // A higher cap and a manual run: under the cap, unblocked, resolved.
    const resolved = nextCommitted(app, (e): e is EventRecord<'alert.delivered'> => e.type === 'alert.delivered' && e.payload.channel.startsWith('alertmanager:') && e.payload.id !== firing[0]!.annotations.alert_id);
    const raised = JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 100_000 } });
    expect((await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body: raised })).status).toBe(200);
    expect((await rawRequest(app.url, 'POST', '/api/cleanup', { headers: { 'content-type': 'application/json' }, body: '{"volume_name":"cam"}' })).status).toBe(200);
    await resolved;
    const after = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];
    const ended = after.filter((a) => a.labels.alertname === 'StorageManagerBlocked' && a.status.state === 'active' && Date.parse(a.endsAt) > Date.now());
    expect(ended).toEqual([]);
  });
});
