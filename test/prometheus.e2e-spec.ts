import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { renderDashboards } from '../src/cli/render-dashboards.js';
import { dashboardQueries } from '../src/metrics/dashboards.js';
import { freePort } from './support/net.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The alert rules of prometheus/: promtool checks and unit-tests them, and a real Prometheus 2.42 scraping the
 * running service evaluates every rule expression (comparisons turned into `bool` ones, so that a rule that is
 * not firing still answers) and must get data — a rule on a renamed metric would silently never fire.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RULES = path.join(ROOT, 'prometheus', 'rules', 'storage-manager.rules.yml');
let dir: string;
let prometheus: ChildProcess;
let promUrl: string;
let app: TestApp;

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

/** `a == 1` → `a == bool 1`: the same selection, a 0/1 answer for every series instead of nothing when false. */
function answeringExpr(expr: string): string {
  return expr.replace(/(==|!=|>=|<=|>|<)(?!\s*bool)\s*/g, '$1 bool ');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-prom-'));
  // A service with a capped target and an alert channel, so that every kind of series exists.
  const receiver = net.createServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  app = await startTestApp({ SM_ALERT_WEBHOOK_URLS: `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/hook` });
  receiver.close();
  mkdirSync(path.join(app.volumesDir, 'cam', 'rec'), { recursive: true });
  writeFileSync(path.join(app.volumesDir, 'cam', 'rec', 'first.mp4'), Buffer.alloc(1000));
  const body = JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 1_000_000 } });
  const registered = await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body });
  if (registered.status !== 201) throw new Error(`registration answered ${registered.status}`);

  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  const target = new URL(app.url).host;
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${RULES}\nscrape_configs:\n  - job_name: storage-manager\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  prometheus = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  prometheus.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    prometheus.once('error', (error) => reject(new Error(`prometheus is needed (apt-get install prometheus): ${error.message}`)));
    prometheus.once('exit', (code) => reject(new Error(`prometheus exited ${code}: ${log.slice(-2000)}`)));
    prometheus.stderr!.on('data', () => {
      if (log.includes('Server is ready to receive web requests')) resolve();
    });
  });
  // No event tells when scrapes are in: ask Prometheus until it has three (increase() needs two in its window).
  for (let i = 0; i < 300; i++) {
    const up = await query('count_over_time(up{job="storage-manager"}[1m]) >= 3').catch(() => []);
    if (up.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 60_000);

afterAll(async () => {
  if (prometheus?.pid && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    process.kill(prometheus.pid, 'SIGTERM');
    await exited;
  }
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Grafana dashboards', () => {
  it('are the committed files, generated from the typed source (run `npm run dashboards` after changing it)', () => {
    for (const [name, text] of Object.entries(renderDashboards())) {
      expect(readFileSync(path.join(ROOT, 'grafana', 'dashboards', name), 'utf8')).toBe(text);
    }
  });

  it('every panel query returns data from a Prometheus scraping the live service', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(25);
    const empty: string[] = [];
    for (const q of queries) {
      const expr = q.expr.replaceAll('$volume', 'cam').replaceAll('$path', '/rec');
      if ((await query(expr)).length === 0) empty.push(`${q.dashboard} / ${q.panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });
});

describe('Prometheus rules', () => {
  it('pass promtool check rules and promtool test rules (each rule firing and not firing)', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.stdout).toContain('SUCCESS: 15 rules found');
    expect(check.status).toBe(0);
    const test = spawnSync('promtool', ['test', 'rules', 'storage-manager.test.yml'], { cwd: path.join(ROOT, 'prometheus', 'tests'), encoding: 'utf8' });
    expect(`${test.stdout}${test.stderr}`).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it('every rule expression returns data from a Prometheus scraping the live service', async () => {
    const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBe(15);
    const empty: string[] = [];
    for (const rule of rules) {
      if ((await query(answeringExpr(rule.expr))).length === 0) empty.push(`${rule.alert}: ${answeringExpr(rule.expr)}`);
    }
    expect(empty).toEqual([]);
  });

  it('ships a Prometheus config and an Alertmanager example that their own tools accept', () => {
    const config = spawnSync('promtool', ['check', 'config', path.join(ROOT, 'prometheus', 'prometheus.yml')], { encoding: 'utf8' });
    expect(`${config.stdout}${config.stderr}`).toContain('SUCCESS');
    expect(config.status).toBe(0);
    const am = spawnSync('amtool', ['check-config', path.join(ROOT, 'prometheus', 'alertmanager.yml')], { encoding: 'utf8' });
    expect(`${am.stdout}${am.stderr}`).toContain('SUCCESS');
    expect(am.status).toBe(0);
  });

  it('loads the rules into Prometheus itself', async () => {
    const response = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> } };
    const loaded = response.data.groups.flatMap((g) => g.rules);
    expect(loaded).toHaveLength(15);
    expect(loaded.filter((r) => r.health === 'err')).toEqual([]);
  });
});
