import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLEANUP_RAN } from '../src/cleanup/cleanup.topics.js';
import { EventBus } from '../src/common/event-bus.js';
import { METRIC } from '../src/metrics/metric-names.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Metrics of the real service after a real cleanup, checked by Prometheus' own `promtool check metrics`. */
let app: TestApp;
let text: string;
let status: number;
let contentType: string | undefined;

/** The value of one sample, by metric name and exact labels (`{a="b",c="d"}` in exposition order). */
function sample(name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  app = await startTestApp();
  const rec = path.join(app.volumesDir, 'cam', 'rec');
  mkdirSync(rec, { recursive: true });
  const body = JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 5000, min_age_seconds: 0 } });
  const registered = await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body });
  if (registered.status !== 201) throw new Error(`registration answered ${registered.status}`);
  // Over the cap: a threshold cleanup brings it back under, which the reaction histogram records.
  const cleaned = new Promise<void>((resolve) => {
    const off = app.running.app.get(EventBus).on(CLEANUP_RAN, ({ report }) => {
      if (report.files > 0 && !report.dry_run) {
        off();
        resolve();
      }
    });
  });
  for (let i = 0; i < 8; i++) writeFileSync(path.join(rec, `c${i}.mp4`), Buffer.alloc(1000, i));
  await cleaned;
  const response = await rawRequest(app.url, 'GET', '/metrics');
  contentType = response.headers['content-type'];
  status = response.status;
  text = response.text;
});

afterAll(async () => {
  await app.close();
});

describe('GET /metrics', () => {
  it('answers in the Prometheus text format', () => {
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('answers gzipped to a scraper that accepts it (as Prometheus does), and as text to one that does not', async () => {
    const raw = await new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const req = request(`${app.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(raw.headers['content-length'])).toBe(raw.body.length);
    const unzipped = gunzipSync(raw.body).toString('utf8');
    // The same families as the text answer (values of the process metrics move between two renders).
    const families = (t: string): string[] => t.split('\n').filter((l) => l.startsWith('# TYPE ')).sort();
    expect(families(unzipped)).toEqual(families(text));
    expect(raw.body.length).toBeLessThan(Buffer.byteLength(unzipped) / 3);
    // Asked for nothing (or identity only): the text itself.
    const plain = await rawRequest(app.url, 'GET', '/metrics', { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(families(plain.text)).toEqual(families(text));
  });

  it('passes promtool check metrics (names, help, types, units)', () => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (check.error) throw new Error(`promtool is needed for this test (apt-get install prometheus): ${check.error.message}`);
    // prom-client's own Node.js gauges end in _total (three known lint findings, upstream); nothing else may be flagged.
    const upstream = /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
    const findings = `${check.stdout}${check.stderr}`.split('\n').filter((line) => line.trim() !== '' && !upstream.test(line));
    expect(findings).toEqual([]);
    expect(text).toContain('# TYPE storage_manager_cleanup_runs_total counter');
  });

  it('exports every metric of the one names file', () => {
    const missing = Object.values(METRIC).filter((m) => !text.includes(`# TYPE ${m.name} `));
    expect(missing.map((m) => m.name)).toEqual([]);
  });

  it('reports the target, its cap and the cleanup that enforced it', () => {
    const target = '{volume="cam",path="/rec"}';
    expect(sample(METRIC.targetBytes.name, target)).toBeLessThanOrEqual(5000);
    expect(sample(METRIC.targetFiles.name, target)).toBeGreaterThan(0);
    expect(sample(METRIC.targetLimitBytes.name, target)).toBe(5000);
    expect(sample(METRIC.targetTier.name, target)).toBe(0);
    expect(sample(METRIC.targetQuarantined.name, target)).toBe(0);
    expect(sample(METRIC.targetOldestFileAge.name, target)).toBeGreaterThanOrEqual(0);
    expect(sample(METRIC.cleanupDeletedFiles.name, '{trigger="threshold"}') ?? sample(METRIC.cleanupDeletedFiles.name, '{trigger="sweep"}')).toBeGreaterThanOrEqual(3);
    expect(sample(`${METRIC.reactionLatency.name}_count`)).toBeGreaterThanOrEqual(1);
  });

  it('reports the filesystems, the event log and the process', () => {
    expect(text).toMatch(new RegExp(`^${METRIC.filesystemUsedRatio.name}\\{mountpoint="/[^"]*",fstype="[^"]+"\\} 0\\.\\d+`, 'm'));
    expect(sample(METRIC.databaseUp.name)).toBe(1);
    expect(sample(METRIC.eventLogEvents.name)).toBeGreaterThan(2);
    expect(sample(METRIC.maintenance.name)).toBe(0);
    expect(sample(METRIC.registrations.name, '{status="active"}')).toBe(1);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
  });
});

describe('GET /metrics/storage', () => {
  it('says in sentences how full each filesystem and target is', async () => {
    const report = (await rawRequest(app.url, 'GET', '/metrics/storage')).json as { status: string; summary: string[]; targets: Array<{ target: string; text: string }> };
    expect(report.status).toMatch(/^(ok|warning|critical|emergency)$/);
    expect(report.targets).toEqual([expect.objectContaining({ target: 'cam:/rec', text: expect.stringMatching(/^cam:\/rec: .* in \d+ files, cap 5\.0 kB, ok, last cleaned /) })]);
    expect(report.summary.length).toBeGreaterThan(0);
  });
});
