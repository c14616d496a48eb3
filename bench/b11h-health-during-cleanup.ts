import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnService, type BenchService } from './service-process.js';
import { median, percentile, say } from './util.js';

/**
 * Loaded into the service process with --import: the event loop's delay, measured inside the service at 1 ms
 * resolution. SIGUSR2 writes the figures since the last signal to stderr as one JSON line, then resets.
 */
export const LOOP_PROBE = `
import { monitorEventLoopDelay } from 'node:perf_hooks';
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
process.on('SIGUSR2', () => {
  process.stderr.write('LOOP ' + JSON.stringify({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 }) + '\\n');
  h.reset();
});
`;

interface Phase {
  health: number[];
  metrics: number[];
  loop: { p50: number; p99: number; max: number };
  ms: number;
}


const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Requests that failed (a kept-alive connection reset by the server): counted, left out of the latencies. */
let failed = 0;

function get(url: string): Promise<number | undefined> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.once('end', () => resolve(performance.now() - t0));
      })
      .once('error', () => {
        failed++;
        resolve(undefined);
      });
  });
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

/**
 * Open-loop load until `until` resolves: GET /api/health every 10 ms (not waiting for earlier answers, so a
 * stall shows in the latencies of every request it held) and GET /metrics every second.
 */
async function load(base: string, until: Promise<unknown>, service: BenchService): Promise<Phase> {
  const health: Array<Promise<number | undefined>> = [];
  const metrics: Array<Promise<number | undefined>> = [];
  const started = performance.now();
  service.child.kill('SIGUSR2');
  await service.waitFor(/LOOP .*\n/);
  const h = setInterval(() => health.push(get(`${base}/api/health`)), 10);
  const m = setInterval(() => metrics.push(get(`${base}/metrics`)), 1000);
  await until;
  clearInterval(h);
  clearInterval(m);
  const ms = performance.now() - started;
  const loopLine = service.waitFor(/LOOP (.*)\n/);
  service.child.kill('SIGUSR2');
  const loop = JSON.parse((await loopLine)[1]!) as Phase['loop'];
  const answered = (times: Array<number | undefined>): number[] => times.filter((t): t is number => t !== undefined);
  return { health: answered(await Promise.all(health)), metrics: answered(await Promise.all(metrics)), loop, ms };
}

function describe(phase: Phase): string {
  const h = phase.health;
  return (
    `health p50 ${median(h).toFixed(1)} ms, p99 ${percentile(h, 99).toFixed(1)} ms, max ${Math.max(...h).toFixed(0)} ms (${h.length} requests); ` +
    `/metrics max ${phase.metrics.length > 0 ? Math.max(...phase.metrics).toFixed(0) : '-'} ms; ` +
    `event-loop delay p50 ${phase.loop.p50.toFixed(1)} ms, p99 ${phase.loop.p99.toFixed(1)} ms, max ${phase.loop.max.toFixed(0)} ms` +
    (failed > 0 ? `; ${failed} requests failed so far` : '')
  );
}

/**
 * B11H: /api/health while one cleanup deletes `deleted` files of a `files`-file target. The real service as a
 * child process (the build in .bench-build), the target on a tmpfs (empty files in directories of 1,000, a files
 * cap through keep_n_latest), the log on the temporary directory's disk. Baseline: the same load for 5 s with
 * nothing to do. Then the cap is lowered so that one run deletes `deleted` files; the load runs until the run's
 * `Cleanup of …` line (logged once cleanup.completed is committed), then 3 s more (the watch catching up).
 */
export async function benchHealthDuringCleanup(files = Number(process.env.SM_BENCH_B11H_FILES ?? 1_000_000), deleted = 50_000): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b11h-'));
  const mount = path.join(dir, 'volumes');
  mkdirSync(mount);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=2g,nr_inodes=${files + 100_000}`, 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount tmpfs (needs root): ${mounted.stderr}`);
  let service: ReturnType<typeof spawnService> | undefined;
  try {
    const rec = path.join(mount, 'cam', 'rec');
    const built = performance.now();
    for (let n = 0; n < files; n++) {
      if (n % 1000 === 0) mkdirSync(path.join(rec, `d${String(n / 1000).padStart(5, '0')}`), { recursive: true });
      writeFileSync(path.join(rec, `d${String(Math.floor(n / 1000)).padStart(5, '0')}`, `seg-${String(n).padStart(8, '0')}.mp4`), '');
    }
    const buildMs = performance.now() - built;
    const probe = path.join(dir, 'loop-probe.mjs');
    writeFileSync(probe, LOOP_PROBE);
    service = spawnService(
      path.resolve('.bench-build/src/main.js'),
      { SM_VOLUMES_DIR: mount, SM_DATA_DIR: path.join(dir, 'data'), SM_DB_PATH: path.join(dir, 'data', 'db.sqlite'), SM_API_PORT: '0', SM_LOG_LEVEL: 'INFO' },
      probe,
    );
    const base = (await service.waitFor(/Listening on (http:\/\/\S+)/))[1]!;
    await post(`${base}/api/register`, { volume_name: 'cam', path: '/rec', algorithm: 'keep_n_latest', params: { keep_count: files, min_age_seconds: 0 } });
    for (;;) {
      const health = (await (await fetch(`${base}/api/health`)).json()) as { measuring: Array<{ last_scan: string | null }> };
      if (health.measuring.length === 1 && health.measuring[0]!.last_scan !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const baseline = await load(base, new Promise((resolve) => setTimeout(resolve, 5000)), service);
    say(`B11H baseline, ${files.toLocaleString('en')} files measured, nothing to do (5 s): ${describe(baseline)}`);

    const line = service.waitFor(/Cleanup of cam:\/rec \(\w+\): (\d+) files/);
    const t0 = performance.now();
    let cleanupMs = 0;
    let done = 0;
    const during = await load(
      base,
      Promise.all([
        post(`${base}/api/register`, { volume_name: 'cam', path: '/rec', algorithm: 'keep_n_latest', params: { keep_count: files - deleted, min_age_seconds: 0 } }),
        line.then((m) => {
          cleanupMs = performance.now() - t0;
          done = Number(m[1]);
        }),
      ]),
      service,
    );
    say(
      `B11H during a cleanup of ${done.toLocaleString('en')} of ${files.toLocaleString('en')} files: ${describe(during)}; ` +
        `cleanup ${(cleanupMs / 1000).toFixed(2)} s (request to committed), ${Math.round(done / (cleanupMs / 1000)).toLocaleString('en')} files/s`,
    );
    const after = await load(base, new Promise((resolve) => setTimeout(resolve, 3000)), service);
    say(`B11H the 3 s after it (watch events of the deletions applied): ${describe(after)}`);
    say(`B11H tree of ${files.toLocaleString('en')} empty files on tmpfs built in ${(buildMs / 1000).toFixed(1)} s (goal: health p99 ≤ 100 ms, event-loop p99 ≤ 50 ms during the cleanup)`);
  } finally {
    if (service) {
      const exited = new Promise((resolve) => service!.child.once('exit', resolve));
      service.child.kill('SIGTERM');
      await exited;
    }
    agent.destroy();
    spawnSync('umount', [mount]);
    rmSync(dir, { recursive: true, force: true });
  }
}
