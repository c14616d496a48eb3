import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { createLogger, startApp, type RunningApp } from '../src/app.js';
import { EventBus } from '../src/common/event-bus.js';
import { parseConfig } from '../src/config/app-config.js';
import type { EventRecord } from '../src/event-log/event.types.js';
import type { TreeUsage } from '../src/measuring/scan-output.js';
import { TreeReader } from '../src/measuring/tree-reader.port.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { loadAverage, makeTree, median, percentile, say } from './util.js';

const MiB = 1024 * 1024;

function mountTmpfs(dir: string, size: number): void {
  mkdirSync(dir, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},nr_inodes=100000`, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mount tmpfs (needs root): ${result.stderr}`);
}

function usedPct(mount: string): number {
  const s = statfsSync(mount);
  return ((s.blocks - s.bfree) / (s.blocks - s.bfree + s.bavail)) * 100;
}

/** Writes one file that takes the filesystem to about `pct` used. */
function fillTo(mount: string, dir: string, name: string, pct: number): void {
  const s = statfsSync(mount);
  const total = (s.blocks - s.bfree + s.bavail) * s.bsize;
  const missing = Math.floor((pct / 100) * total) - (s.blocks - s.bfree) * s.bsize;
  if (missing > 0) writeFileSync(path.join(mount, dir, name), Buffer.alloc(missing, 1));
}

function nextEvent(running: RunningApp, test: (e: EventRecord) => boolean): Promise<EventRecord> {
  return new Promise((resolve) => {
    const off = running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => {
      const match = events.find(test);
      if (match) {
        off();
        resolve(match);
      }
    });
  });
}

async function start(dir: string, env: Record<string, string>): Promise<RunningApp> {
  Logger.overrideLogger(createLogger('ERROR'));
  mkdirSync(path.join(dir, 'volumes'), { recursive: true });
  return startApp(parseConfig({ SM_VOLUMES_DIR: path.join(dir, 'volumes'), SM_DATA_DIR: path.join(dir, 'data'), SM_DB_PATH: path.join(dir, 'data', 'db.sqlite'), ...env }, { cwd: dir }), { port: 0 });
}

async function register(running: RunningApp, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${running.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`register: ${response.status} ${await response.text()}`);
}

/**
 * B7: a writer takes a 64 MiB tmpfs from ~70 % to 96 %; time from the write until the emergency policy has it
 * below the critical threshold (90 %), measured on the filesystem itself. Target p99 ≤ 1 s.
 */
export async function benchEmergency(runs = 50): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b7-'));
  const mount = path.join(dir, 'fs');
  mountTmpfs(mount, 64 * MiB);
  mkdirSync(path.join(mount, 'cam'));
  const running = await start(dir, { SM_ROOTS: `fast=${mount}` });
  try {
    await register(running, { volume_name: 'fast', path: '/cam', algorithm: 'keep_n_latest', params: { keep_count: 100_000, min_age_seconds: 0, emergency: { keep_count: 5 } } });
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      // Small segments up to ~70 %, as a camera writes them.
      for (let i = 0; usedPct(mount) < 70; i++) writeFileSync(path.join(mount, 'cam', `r${run}-s${String(i).padStart(4, '0')}.bin`), Buffer.alloc(MiB, 2));
      const done = nextEvent(running, (e) => e.type === 'emergency.completed');
      const started = performance.now();
      fillTo(mount, 'cam', `r${run}-burst.bin`, 96);
      const timeout = setTimeout(() => say(`B7 run ${run}: no emergency cleanup after 10 s at ${usedPct(mount).toFixed(1)}%`), 10_000);
      await done;
      clearTimeout(timeout);
      if (usedPct(mount) >= 90) throw new Error(`run ${run}: still ${usedPct(mount).toFixed(1)}% after the emergency cleanup`);
      times.push(performance.now() - started);
      for (const name of readdirSync(path.join(mount, 'cam'))) rmSync(path.join(mount, 'cam', name));
    }
    say(`B7 emergency (tmpfs 64 MiB, 70 % → 96 % → below 90 %), ${runs} runs: p50 ${median(times).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (target p99 ≤ 1000 ms)`);
  } finally {
    await running.shutdown('bench end');
    spawnSync('umount', [mount]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * B8: a write takes a tmpfs into the warning tier; time until a webhook receiver has the alert. Default settings
 * but the cooldown (1 s), so that every crossing is sent. Target p99 ≤ 1 s.
 */
export async function benchAlertLatency(runs = 50): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b8-'));
  const mount = path.join(dir, 'fs');
  mountTmpfs(mount, 64 * MiB);
  mkdirSync(path.join(mount, 'data'));
  let onAlert: ((title: string) => void) | undefined;
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end();
      onAlert?.((JSON.parse(Buffer.concat(chunks).toString()) as { title: string }).title);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const running = await start(dir, { SM_ROOTS: `fast=${mount}`, SM_ALERT_WEBHOOK_URLS: hook, SM_ALERT_COOLDOWN_SECONDS: '1' });
  try {
    await register(running, { volume_name: 'fast', path: '/data', algorithm: 'max_size', params: { max_bytes: 1e12 } });
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the 1 s cooldown of the previous raise
      const received = new Promise<void>((resolve) => (onAlert = (title) => title.startsWith('[WARNING]') && resolve()));
      const started = performance.now();
      fillTo(mount, 'data', `w${run}.bin`, 82);
      await received;
      times.push(performance.now() - started);
      const back = nextEvent(running, (e) => e.type === 'filesystem.tier_changed' && e.payload.to === 'ok');
      for (const name of readdirSync(path.join(mount, 'data'))) rmSync(path.join(mount, 'data', name));
      await back;
    }
    say(`B8 tier crossing → webhook received, ${runs} runs: p50 ${median(times).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (target p99 ≤ 1000 ms)`);
  } finally {
    await running.shutdown('bench end');
    receiver.close();
    spawnSync('umount', [mount]);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LoadResult {
  latency: { p50: number; p99: number; max: number };
  requests: { total: number };
  non2xx: number;
}

/** autocannon's command line, 10 connections, 100 requests/s overall, `seconds` long; its JSON result. */
function autocannonProcess(url: string, seconds = 10, headers: readonly string[] = []): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const args = [path.resolve('node_modules/autocannon/autocannon.js'), '-c', '10', '-R', '100', '-d', String(seconds), ...headers.flatMap((h) => ['-H', h]), '-j', url];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(out) as never);
      } catch {
        reject(new Error(`autocannon exited ${code} without a result`));
      }
    });
  });
}

/**
 * 100 req/s on `url` from autocannon in a process of its own (as a real client is: in this process it would share
 * the event loop), with the event loop's delay measured meanwhile in this process, where the service runs (1 ms
 * resolution: its maximum is the longest the loop was held at once). One line: latencies, loop, load average.
 */
async function underLoad(url: string, seconds = 10, headers: readonly string[] = []): Promise<{ result: LoadResult; line: string }> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const result = await autocannonProcess(url, seconds, headers);
  loop.disable();
  const line =
    `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ${result.requests.total} requests, ${result.non2xx} non-2xx; ` +
    `event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; ${loadAverage()} (target p99 ≤ 50 ms)`;
  return { result, line };
}

/** The median time of one answer at a time (the first 10 of 40 left out: warm-up), and its size. */
async function oneAtATime(url: string): Promise<string> {
  const serial: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    bytes = (await (await fetch(url)).arrayBuffer()).byteLength;
    serial.push(performance.now() - t0);
  }
  return `median ${median(serial.slice(10)).toFixed(1)} ms per answer of ${(bytes / 1024).toFixed(0)} KiB`;
}

/** B9: /metrics and /api/volumes with 1,000 registered targets (10 files each), at 100 requests/s (autocannon). */
export async function benchScrapeLatency(targets = 1000): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b9-'));
  for (let v = 0; v < 10; v++) {
    for (let t = 0; t < targets / 10; t++) {
      const target = path.join(dir, 'volumes', `vol${v}`, `t${t}`);
      mkdirSync(target, { recursive: true });
      for (let f = 0; f < 10; f++) writeFileSync(path.join(target, `f${f}`), Buffer.alloc(100));
    }
  }
  const running = await start(dir, {});
  try {
    for (let v = 0; v < 10; v++) {
      for (let t = 0; t < targets / 10; t++) await register(running, { volume_name: `vol${v}`, path: `/t${t}`, algorithm: 'max_size', params: { max_bytes: 1e9 } });
    }
    // Every target measured before the load starts.
    for (;;) {
      const health = (await (await fetch(`${running.url}/api/health`)).json()) as { measuring: Array<{ last_scan: string | null }> };
      if (health.measuring.length === targets && health.measuring.every((m) => m.last_scan !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const route of ['/metrics', '/api/volumes']) {
      // One request at a time first: the cost of one answer, without queueing.
      say(`B9 ${route} one at a time: ${await oneAtATime(`${running.url}${route}`)}`);
      if (route === '/metrics') {
        // More than a second apart, with nothing changing in between: each answer sets off a render behind it.
        const fresh: number[] = [];
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 1100));
          const t0 = performance.now();
          await (await fetch(`${running.url}${route}`)).arrayBuffer();
          fresh.push(performance.now() - t0);
        }
        say(`B9 /metrics after a second of quiet (the last text at once, a fresh one rendered behind it): median ${median(fresh).toFixed(1)} ms`);
      }
      const { line } = await underLoad(`${running.url}${route}`);
      say(`B9 ${route} with ${targets} targets at 100 req/s for 10 s: ${line}`);
      if (route === '/metrics') {
        // As Prometheus scrapes: it asks for gzip.
        const gzipped = await underLoad(`${running.url}${route}`, 10, ['accept-encoding=gzip']);
        say(`B9 ${route} gzipped (accept-encoding: gzip, as Prometheus asks) at 100 req/s for 10 s: ${gzipped.line}`);
      }
    }
  } finally {
    await running.shutdown('bench end');
    rmSync(dir, { recursive: true, force: true });
  }
}

interface VolumeRow {
  volume_name: string;
  current_bytes: number | null;
  current_bytes_source: string | null;
  current_bytes_measured_at: string | null;
}

/**
 * B9V: GET /api/volumes with two volumes of `files` empty files each in `dirs` directories, on a tmpfs: `covered`
 * under a `/` max_size target (its size from the target's index) and `uncovered` under none (its size from the
 * background walk of the scanner's worker thread). The service runs twice on the same trees and database: once
 * with SM_MONITOR_INTERVAL_SECONDS at a day (the one walk of `uncovered` is the one at start, done before the
 * load), once at 5 s, so that the scheduled walks (≈ 2–3 s each at 1M files) run during the load. 100 req/s
 * for `seconds` each; the walks that overlapped the load are counted through the scanner adapter.
 */
export async function benchVolumesAtScale(files = Number(process.env.SM_BENCH_B9V_FILES ?? 1_000_000), dirs = 10_000, seconds = Number(process.env.SM_BENCH_B9V_SECONDS ?? 30)): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b9v-'));
  const volumes = path.join(dir, 'volumes');
  mkdirSync(volumes);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=1g,nr_inodes=${2 * (files + dirs) + 10_000}`, 'tmpfs', volumes], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount tmpfs (needs root): ${mounted.stderr}`);
  try {
    const built = performance.now();
    for (const name of ['covered', 'uncovered']) makeTree(path.join(volumes, name), files, dirs, { empty: true });
    say(`B9V two volumes of ${files.toLocaleString('en')} empty files in ${dirs.toLocaleString('en')} directories each, on tmpfs, built in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    for (const [interval, label] of [
      ['86400', 'no walk during the load (only the one at start)'],
      ['5', 'the background walk of `uncovered` every 5 s, during the load'],
    ] as const) {
      const running = await start(dir, { SM_MONITOR_INTERVAL_SECONDS: interval });
      try {
        const walks: Array<{ root: string; start: number; end: number }> = [];
        const reader = running.app.get(TreeReader);
        const walk = reader.usage.bind(reader);
        reader.usage = async (root: string): Promise<TreeUsage> => {
          const entry = { root, start: performance.now(), end: Number.POSITIVE_INFINITY };
          walks.push(entry);
          try {
            return await walk(root);
          } finally {
            entry.end = performance.now();
          }
        };
        if (interval === '86400') await register(running, { volume_name: 'covered', path: '/', algorithm: 'max_size', params: { max_bytes: 1e15 } });
        const ready = performance.now();
        let rows: VolumeRow[];
        for (;;) {
          // The covered target's first scan done (its index complete), the uncovered volume walked once.
          // The start-up catch-up sweep done too (its rescan of the 1M-file target is the target's, not the listing's),
          // and no walk in flight.
          const health = (await (await fetch(`${running.url}/api/health`)).json()) as {
            measuring: Array<{ last_scan: string | null; files: number }>;
            scheduler: { jobs: Array<{ name: string; running: boolean; runs: number }> };
          };
          rows = (await (await fetch(`${running.url}/api/volumes`)).json()) as VolumeRow[];
          const by = new Map(rows.map((r) => [r.volume_name, r]));
          const indexed = health.measuring.length === 1 && health.measuring[0]!.last_scan !== null && health.measuring[0]!.files === files;
          const sweep = health.scheduler.jobs.find((j) => j.name === 'sweep');
          const quiet = sweep !== undefined && sweep.runs >= 1 && !sweep.running && walks.every((w) => w.end !== Number.POSITIVE_INFINITY);
          if (indexed && quiet && by.get('covered')?.current_bytes_source === 'index' && by.get('uncovered')?.current_bytes_source === 'scan') break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const sources = rows.map((r) => `${r.volume_name}: ${r.current_bytes_source} (measured ${r.current_bytes_measured_at})`).join(', ');
        say(`B9V [${label}] sizes ready ${((performance.now() - ready) / 1000).toFixed(1)} s after start: ${sources}`);
        say(`B9V [${label}] /api/volumes one at a time: ${await oneAtATime(`${running.url}/api/volumes`)}`);
        const t0 = performance.now();
        const { line } = await underLoad(`${running.url}/api/volumes`, seconds);
        const t1 = performance.now();
        const during = walks.filter((w) => w.start < t1 && w.end > t0);
        const walking = during.reduce((ms, w) => ms + Math.min(w.end, t1) - Math.max(w.start, t0), 0);
        const final = (await (await fetch(`${running.url}/api/volumes?name=uncovered`)).json()) as VolumeRow[];
        say(
          `B9V [${label}] /api/volumes at 100 req/s for ${seconds} s: ${line}; ${during.length} walks overlapped the load ` +
            `(${[...new Set(during.map((w) => path.basename(w.root)))].join(', ') || 'none'}; walking ${((walking / (t1 - t0)) * 100).toFixed(0)} % of the time); ` +
            `uncovered measured at ${final[0]?.current_bytes_measured_at ?? '?'}`,
        );
      } finally {
        await running.shutdown('bench end');
      }
    }
  } finally {
    spawnSync('umount', [volumes]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * B11: cleanup speed while every alert channel is down. 20,000 files scanned and deleted, alternately with no
 * channel and with a webhook receiver that takes each request and never answers (alerts of 20 blocked targets
 * pending and retried meanwhile). Target: the same speed (ratio ≈ 1).
 */
export async function benchCleanupDuringOutage(files = 20_000, rounds = 3): Promise<void> {
  const held: http.ServerResponse[] = [];
  const hung = http.createServer((_req, res) => void held.push(res));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/hook`;
  const timings: Record<'none' | 'hung', number[]> = { none: [], hung: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['none', 'hung'] as const) {
        const dir = mkdtempSync(path.join(tmpdir(), 'sm-b11-'));
        const running = await start(dir, mode === 'hung' ? { SM_ALERT_WEBHOOK_URLS: hook, SM_ALERT_SEND_TIMEOUT_SECONDS: '1', SM_ALERT_CHANNEL_FAILING_SECONDS: '1' } : {});
        try {
          // The tree first (a pause longer than the server's keep-alive between two requests resets the connection).
          const target = path.join(dir, 'volumes', 'cam', 'rec');
          for (let d = 0; d < 20; d++) {
            mkdirSync(path.join(target, `d${d}`), { recursive: true });
            for (let f = 0; f < files / 20; f++) writeFileSync(path.join(target, `d${d}`, `f${f}`), 'x');
          }
          // Blocked targets: young files over a tiny cap, so their alerts wait in the outbox for the dead channel.
          for (let b = 0; b < 20; b++) {
            mkdirSync(path.join(dir, 'volumes', 'cam', `blocked${b}`), { recursive: true });
            writeFileSync(path.join(dir, 'volumes', 'cam', `blocked${b}`, 'young.bin'), Buffer.alloc(1000));
            await register(running, { volume_name: 'cam', path: `/blocked${b}`, algorithm: 'max_size', params: { max_bytes: 10 } });
          }
          // Registered over its policy: the first scan's sweep deletes every file; timed from the request to the event.
          const done = nextEvent(running, (e) => e.type === 'cleanup.completed' && e.target === 'cam:/rec');
          const started = performance.now();
          await register(running, { volume_name: 'cam', path: '/rec', algorithm: 'keep_n_latest', params: { keep_count: 0, min_age_seconds: 0 } });
          const event = (await done) as EventRecord<'cleanup.completed'>;
          timings[mode].push(performance.now() - started);
          if (event.payload.files !== files) throw new Error(`B11 deleted ${event.payload.files} of ${files}`);
        } finally {
          await running.shutdown('bench end');
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    const none = median(timings.none);
    const hungMedian = median(timings.hung);
    say(
      `B11 cleanup of ${files} files, ${rounds} rounds each: no channel ${none.toFixed(0)} ms, channel down (receiver never answers, 20 alerts pending) ` +
        `${hungMedian.toFixed(0)} ms → ${(hungMedian / none).toFixed(2)}× (target ≈ 1.0×)`,
    );
  } finally {
    for (const res of held) res.destroy();
    hung.close();
  }
}
