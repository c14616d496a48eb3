import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { percentile, say } from './util.js';

/**
 * B10 soak: the built service in a process of its own (embedded SQLite, data directory and volume on disk)
 * against a camera-like writer for SM_BENCH_SOAK_MINUTES (default 30): STREAMS streams of one 2 MB segment
 * a second each (plus a JSON sidecar per segment and a ~100 KB snapshot every 5 s per stream), in date/hour
 * directories, into one max_size target capped at 1 GiB. The cap is reached after ~2 minutes; from then on
 * every segment makes the cleanup delete the oldest files. Sweeps every 60 s (SM_CHECK_INTERVAL_SECONDS).
 *
 * Figures: the service's RSS (VmRSS) over time and its growth from the 5-minute mark to the end; event-log growth
 * (database file + -wal, events held) extrapolated per hour, and the bytes per deletion record; the tally drift
 * counters after every sweep and the tally against `find` at the end; reaction (segment written → target back
 * under its cap, measured on disk by the writer) p50/p99, next to the service's own reaction histogram;
 * /api/health latency sampled every second and the service's event-loop delay.
 */

const STREAMS = 4;
const SEGMENT_BYTES = 2_000_000;
const SNAPSHOT_BYTES = 100_000;
const SNAPSHOT_EVERY_SEGMENTS = 5;
const CAP_BYTES = 1024 ** 3;
const SWEEP_SECONDS = 60;
/** One write slot per stream and second, spread over the second: a segment every 250 ms overall. */
const SLOT_MS = 1000 / STREAMS;
const SAMPLE_MS = 10_000;
const HEALTH_MS = 1000;
const POLL_MS = 2;
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.js');

interface Written {
  readonly file: string;
  readonly bytes: number;
}

interface Sample {
  readonly t: number;
  readonly rss: number;
  readonly dbBytes: number;
  readonly walBytes: number;
  readonly events: number;
  readonly logSizeBytes: number;
  readonly deletedFiles: number;
  readonly sweeps: number;
  readonly driftBytes: number;
  readonly driftFiles: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly lagP99: number;
  readonly lagMax: number;
}

type Metrics = Map<string, number>;

function parseMetrics(text: string): Metrics {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** The sum of every series of `name` whose labels contain all of `labels` (`key="value"` fragments). */
function metric(values: Metrics, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const [series, value] of values) {
    const brace = series.indexOf('{');
    if ((brace < 0 ? series : series.slice(0, brace)) !== name) continue;
    if (labels.every((label) => series.includes(label))) sum += value;
  }
  return sum;
}

/** A quantile from a Prometheus histogram's cumulative buckets: the upper bound of the bucket it falls in. */
function bucketQuantile(values: Metrics, name: string, q: number): { le: string; count: number } {
  const buckets: Array<{ le: string; bound: number; count: number }> = [];
  for (const [series, count] of values) {
    const match = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\}$`).exec(series);
    if (match) buckets.push({ le: match[1]!, bound: match[1] === '+Inf' ? Infinity : Number(match[1]), count });
  }
  buckets.sort((a, b) => a.bound - b.bound);
  const total = buckets.at(-1)?.count ?? 0;
  const bucket = buckets.find((b) => b.count >= q * total);
  return { le: bucket?.le ?? '?', count: total };
}

function vmRss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

const stat = (values: number[], p: number): string => (values.length === 0 ? '–' : percentile(values, p).toFixed(0));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const MB = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const pct = (from: number, to: number): string => `${to >= from ? '+' : ''}${(((to - from) / from) * 100).toFixed(1)} %`;

/** The built service (the bench build of src/main.ts) as an operator runs it; its output goes to a file. */
async function startService(dir: string, env: Record<string, string>): Promise<{ child: ChildProcess; pid: number; url: string; logFile: string }> {
  const logFile = path.join(dir, 'service.log');
  const out = openSync(logFile, 'a');
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('SM_') && value !== undefined) clean[key] = value;
  const child = spawn(process.execPath, [MAIN], { cwd: dir, env: { ...clean, ...env }, stdio: ['ignore', out, out] });
  closeSync(out);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /Listening on (http:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'));
    if (match) return { child, pid: child.pid!, url: match[1]!, logFile };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`service did not start:\n${readFileSync(logFile, 'utf8')}`);
    await sleep(100);
  }
}

async function stopService(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** Regular files under `root` by `find`: count and st_size sum (no hard links here). */
function findTally(root: string): { files: number; bytes: number } {
  const out = execFileSync('find', [root, '-type', 'f', '-printf', '%s\n'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const sizes = out.split('\n').filter((line) => line !== '');
  return { files: sizes.length, bytes: sizes.reduce((sum, size) => sum + Number(size), 0) };
}

export async function benchSoak(minutes = Number(process.env.SM_BENCH_SOAK_MINUTES ?? 30)): Promise<void> {
  const durationMs = minutes * 60_000;
  // RSS and log growth are compared from this point (steady state: the cap is reached after ~2 minutes).
  const referenceMs = Math.min(5 * 60_000, durationMs / 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b10s-'));
  const disk = statfsSync(dir);
  const free = disk.bavail * disk.bsize;
  if (free < 3 * CAP_BYTES) throw new Error(`B10 soak needs ~3 GiB free in ${tmpdir()}, has ${MB(free)}`);
  const volumes = path.join(dir, 'volumes');
  const target = path.join(volumes, 'cams', 'rec');
  mkdirSync(target, { recursive: true });
  const dbPath = path.join(dir, 'data', 'storage_manager.db');
  const loadBefore = loadavg();
  const service = await startService(dir, {
    SM_API_HOST: '127.0.0.1',
    SM_API_PORT: '0',
    SM_VOLUMES_DIR: volumes,
    SM_DATA_DIR: path.join(dir, 'data'),
    SM_DB_PATH: dbPath,
    SM_CHECK_INTERVAL_SECONDS: String(SWEEP_SECONDS),
  });
  const { url, pid } = service;
  let stopped = false;
  try {
    const registered = await fetch(`${url}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ volume_name: 'cams', path: '/rec', algorithm: 'max_size', params: { max_bytes: CAP_BYTES } }),
    });
    if (registered.status >= 300) throw new Error(`register: ${registered.status} ${await registered.text()}`);
    say(
      `B10 soak: ${minutes} min, ${STREAMS} streams × ${MB(SEGMENT_BYTES)} segment/s (+ JSON sidecar, ${SNAPSHOT_BYTES / 1000} KB snapshot every ${SNAPSHOT_EVERY_SEGMENTS} s each), ` +
        `max_size ${CAP_BYTES} B, sweeps every ${SWEEP_SECONDS} s, service pid ${pid}, ${disk.type === 0x01021994 ? 'tmpfs' : 'disk'} (${MB(free)} free); load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    );

    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const segment = Buffer.alloc(SEGMENT_BYTES, 0x5a);
    const snapshot = Buffer.alloc(SNAPSHOT_BYTES, 0x33);
    snapshot.set([0xff, 0xd8, 0xff, 0xe0], 0);

    // The writer's own account of the target: files in the order written (= mtime order, the order max_size
    // deletes in), and the bytes of those still on disk.
    const written: Written[] = [];
    let head = 0;
    let onDisk = 0;
    let totalWritten = 0;
    const reactions: number[] = [];
    const pending: number[] = [];
    let overlapped = 0;
    const settle = (): void => {
      while (head < written.length && !existsSync(written[head]!.file)) onDisk -= written[head++]!.bytes;
      if (pending.length > 0 && onDisk <= CAP_BYTES) {
        const now = performance.now();
        for (const t0 of pending) reactions.push(now - t0);
        if (pending.length > 1) overlapped += pending.length - 1;
        pending.length = 0;
      }
    };
    const add = async (file: string, data: Buffer | string): Promise<void> => {
      await writeFile(file, data);
      const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      written.push({ file, bytes });
      onDisk += bytes;
      totalWritten += bytes;
    };

    let writing = true;
    let maxLateMs = 0;
    let late = 0;
    let segments = 0;
    let capReachedAt: number | undefined;
    const writer = (async () => {
      for (let tick = 0; elapsed() < durationMs; tick++) {
        const due = tick * SLOT_MS;
        if (elapsed() < due) await sleep(due - elapsed());
        const lateness = elapsed() - due;
        maxLateMs = Math.max(maxLateMs, lateness);
        if (lateness > SLOT_MS) late++;
        const stream = tick % STREAMS;
        const n = Math.floor(tick / STREAMS);
        const now = new Date();
        const iso = now.toISOString();
        const hourDir = path.join(target, `cam${stream + 1}`, iso.slice(0, 10), iso.slice(11, 13));
        await mkdir(hourDir, { recursive: true });
        const stamp = `${iso.slice(11, 19).replaceAll(':', '')}-${String(n).padStart(6, '0')}`;
        await add(path.join(hourDir, `seg-${stamp}.mp4`), segment);
        segments++;
        if (onDisk > CAP_BYTES) {
          capReachedAt ??= elapsed();
          pending.push(performance.now());
        }
        await add(path.join(hourDir, `seg-${stamp}.json`), JSON.stringify({ stream: stream + 1, segment: n, start: iso, duration_s: 1, bytes: SEGMENT_BYTES, codec: 'h264', fps: 25 }));
        if (n % SNAPSHOT_EVERY_SEGMENTS === 0) await add(path.join(hourDir, `snap-${stamp}.jpg`), snapshot);
      }
      writing = false;
    })();
    const poller = (async () => {
      while (writing || pending.length > 0) {
        settle();
        await sleep(POLL_MS);
        if (!writing && elapsed() > durationMs + 30_000) break;
      }
    })();

    const health: number[] = [];
    let healthErrors = 0;
    const prober = (async () => {
      for (let i = 1; writing; i++) {
        const t0 = performance.now();
        try {
          const response = await fetch(`${url}/api/health`);
          await response.arrayBuffer();
          if (response.status !== 200) healthErrors++;
        } catch {
          healthErrors++;
        }
        health.push(performance.now() - t0);
        const next = i * HEALTH_MS - elapsed();
        if (next > 0) await sleep(next);
      }
    })();

    const samples: Sample[] = [];
    const scrape = async (): Promise<Metrics> => parseMetrics(await (await fetch(`${url}/metrics`)).text());
    const sample = async (): Promise<Sample> => {
      const m = await scrape();
      const s: Sample = {
        t: elapsed(),
        rss: vmRss(pid),
        dbBytes: fileSize(dbPath),
        walBytes: fileSize(`${dbPath}-wal`),
        events: metric(m, 'storage_manager_event_log_events'),
        logSizeBytes: metric(m, 'storage_manager_event_log_size_bytes'),
        deletedFiles: metric(m, 'storage_manager_cleanup_deleted_files_total'),
        sweeps: metric(m, 'storage_manager_cleanup_runs_total', 'trigger="sweep"'),
        driftBytes: metric(m, 'storage_manager_tally_drift_bytes_total'),
        driftFiles: metric(m, 'storage_manager_tally_drift_files_total'),
        heapUsed: metric(m, 'nodejs_heap_size_used_bytes'),
        heapTotal: metric(m, 'nodejs_heap_size_total_bytes'),
        external: metric(m, 'nodejs_external_memory_bytes'),
        lagP99: metric(m, 'nodejs_eventloop_lag_p99_seconds'),
        lagMax: metric(m, 'nodejs_eventloop_lag_max_seconds'),
      };
      samples.push(s);
      return s;
    };
    const sweepDrift: string[] = [];
    let lastSweeps = 0;
    for (let i = 1; writing; i++) {
      const next = i * SAMPLE_MS - elapsed();
      if (next > 0) await sleep(next);
      const s = await sample();
      if (s.sweeps !== lastSweeps) {
        sweepDrift.push(`${s.sweeps}:${s.driftBytes}/${s.driftFiles}`);
        lastSweeps = s.sweeps;
      }
      if (i % 30 === 0) {
        say(
          `  ${(s.t / 60_000).toFixed(1)} min: RSS ${MB(s.rss)}, heap ${MB(s.heapUsed)} of ${MB(s.heapTotal)}, db ${MB(s.dbBytes)} + wal ${MB(s.walBytes)}, ${s.events} events, ` +
            `${s.deletedFiles} files deleted, ${s.sweeps} sweeps, drift ${s.driftBytes} B / ${s.driftFiles} files, on disk ${MB(onDisk)}, ${reactions.length} reactions`,
        );
      }
    }
    await writer;
    await prober;
    await poller;
    const end = await sample();
    const cpu = cpuSeconds(pid);
    const loadAfter = loadavg();

    // Quiet: the last cleanup and the watcher settle, then the tally against find.
    await sleep(3000);
    let tally = { bytes: NaN, files: NaN };
    let found = findTally(target);
    for (let i = 0; i < 20; i++) {
      const m = await scrape();
      tally = { bytes: metric(m, 'storage_manager_target_bytes', 'volume="cams"'), files: metric(m, 'storage_manager_target_files', 'volume="cams"') };
      found = findTally(target);
      if (tally.bytes === found.bytes && tally.files === found.files) break;
      await sleep(500);
    }
    const final = await scrape();
    const reactionP50 = bucketQuantile(final, 'storage_manager_reaction_latency_seconds', 0.5);
    const reactionP99 = bucketQuantile(final, 'storage_manager_reaction_latency_seconds', 0.99);
    const finalDrift = { bytes: metric(final, 'storage_manager_tally_drift_bytes_total'), files: metric(final, 'storage_manager_tally_drift_files_total') };
    const finalSweeps = metric(final, 'storage_manager_cleanup_runs_total', 'trigger="sweep"');
    const cleanups = metric(final, 'storage_manager_cleanup_runs_total');

    const stopCode = await stopService(service.child);
    stopped = true;

    // The log after the clean shutdown: what it holds, per table and per event type.
    const db = new Database(dbPath, { readonly: true });
    const tables = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as Array<{ name: string; bytes: number }>;
    const byType = db.prepare('SELECT type, COUNT(*) AS n, SUM(LENGTH(payload)) AS payload FROM events GROUP BY type ORDER BY n DESC').all() as Array<{ type: string; n: number; payload: number }>;
    const deletionRows = (db.prepare('SELECT COUNT(*) AS n FROM deletions').get() as { n: number }).n;
    const drifts = (db.prepare("SELECT payload FROM events WHERE type = 'usage.drift' ORDER BY seq").all() as Array<{ payload: string }>).map(
      (row) => JSON.parse(row.payload) as { bytes: number; files: number },
    );
    const snapshotRows = (db.prepare('SELECT COUNT(*) AS n, SUM(LENGTH(state)) AS bytes FROM snapshots').get() as { n: number; bytes: number | null });
    db.close();
    const tableBytes = (...names: string[]): number => tables.filter((t) => names.includes(t.name)).reduce((sum, t) => sum + t.bytes, 0);
    const deletionBytes = tableBytes('deletions', 'deletions_path', 'deletions_event');
    const eventBytes = tableBytes('events', 'events_uid', 'events_type_seq', 'events_target_seq', 'events_at');

    // Figures.
    const ref = samples.find((s) => s.t >= referenceMs) ?? samples[0]!;
    const hours = (end.t - ref.t) / 3_600_000;
    const perHour = (field: (s: Sample) => number): number => (field(end) - field(ref)) / hours;
    const refLabel = `${(ref.t / 60_000).toFixed(1)} min`;
    say(
      `B10 soak RSS (VmRSS): ${MB(samples[0]!.rss)} at ${(samples[0]!.t / 60_000).toFixed(1)} min, ${MB(ref.rss)} at ${refLabel}, ${MB(end.rss)} at the end → ${pct(ref.rss, end.rss)} ` +
        `(target within 10 %); max ${MB(Math.max(...samples.map((s) => s.rss)))}; V8 heap used ${MB(ref.heapUsed)} → ${MB(end.heapUsed)}, committed ${MB(ref.heapTotal)} → ${MB(end.heapTotal)}, external ${MB(ref.external)} → ${MB(end.external)}; ` +
        `curve: ${samples.filter((_, i) => i % 18 === 17 || i === samples.length - 1).map((s) => `${(s.t / 60_000).toFixed(0)}m ${(s.rss / 1e6).toFixed(0)}`).join(', ')} MB`,
    );
    say(
      `B10 soak event log: ${end.events} events, database ${MB(end.dbBytes)} + wal ${MB(end.walBytes)} at the end; from ${refLabel} on: ` +
        `${perHour((s) => s.events).toFixed(0)} events/h, file+wal ${MB(perHour((s) => s.dbBytes + s.walBytes))}/h (pages ${MB(perHour((s) => s.logSizeBytes))}/h), ` +
        `${perHour((s) => s.deletedFiles).toFixed(0)} files deleted/h → ${(perHour((s) => s.logSizeBytes) / perHour((s) => s.deletedFiles)).toFixed(0)} database bytes (all tables) per deleted file`,
    );
    say(
      `B10 soak log contents after shutdown: ${deletionRows} deletion rows in ${MB(deletionBytes)} (table + 2 indexes) → ${deletionRows > 0 ? (deletionBytes / deletionRows).toFixed(0) : '–'} B per deleted file; ` +
        `events ${MB(eventBytes)}; ${snapshotRows.n} snapshots ${MB(tableBytes('snapshots', 'snapshots_seq'))} (state ${MB(snapshotRows.bytes ?? 0)}); ` +
        `by table: ${tables.slice(0, 8).map((t) => `${t.name} ${MB(t.bytes)}`).join(', ')}; ` +
        `by type: ${byType.map((t) => `${t.type} ${t.n} (${(t.payload / t.n).toFixed(0)} B)`).join(', ')}`,
    );
    say(
      `B10 soak tally: drift ${finalDrift.bytes} B / ${finalDrift.files} files over ${finalSweeps} sweeps (counters after each sweep, sweeps:bytes/files: ${sweepDrift.join(' ')}); ` +
        `usage.drift events (bytes/files): ${drifts.map((d) => `${d.bytes}/${d.files}`).join(' ') || 'none'}; ` +
        `at the end the tally ${tally.files} files ${tally.bytes} B vs find ${found.files} files ${found.bytes} B ${tally.bytes === found.bytes && tally.files === found.files ? '(equal)' : '(DIFFERENT)'}, ` +
        `${found.bytes <= CAP_BYTES ? 'under' : 'OVER'} the cap; writer's account ${MB(onDisk)} on disk`,
    );
    say(
      `B10 soak reaction (segment written → target back under its cap on disk, ${reactions.length} crossings from ${((capReachedAt ?? 0) / 1000).toFixed(0)} s): ` +
        `p50 ${stat(reactions, 50)} ms, p99 ${stat(reactions, 99)} ms, max ${stat(reactions, 100)} ms ` +
        `(${overlapped} crossings still open at the next segment; poll ${POLL_MS} ms); service histogram (seen over → under, ${reactionP50.count} observations): ` +
        `p50 ≤ ${reactionP50.le} s, p99 ≤ ${reactionP99.le} s (bucket bounds); ${cleanups} cleanup runs`,
    );
    say(
      `B10 soak event loop: GET /api/health every ${HEALTH_MS / 1000} s, ${health.length} requests: p50 ${percentile(health, 50).toFixed(1)} ms, p99 ${percentile(health, 99).toFixed(1)} ms, ` +
        `max ${Math.max(...health).toFixed(0)} ms, ${healthErrors} not 200; service's event-loop delay per ${SAMPLE_MS / 1000} s window: ` +
        `p99 median ${(percentile(samples.map((s) => s.lagP99), 50) * 1000).toFixed(1)} ms, worst p99 ${(Math.max(...samples.map((s) => s.lagP99)) * 1000).toFixed(1)} ms, ` +
        `max ${(Math.max(...samples.map((s) => s.lagMax)) * 1000).toFixed(0)} ms`,
    );
    say(
      `B10 soak load: ${segments} segments, ${MB(totalWritten)} written (${(totalWritten / 1e6 / (durationMs / 1000)).toFixed(2)} MB/s), writer at most ${maxLateMs.toFixed(0)} ms behind its schedule ` +
        `(${late} slots over ${SLOT_MS} ms late); service CPU ${cpu.toFixed(0)} s = ${((cpu / (end.t / 1000)) * 100).toFixed(1)} % of a core; ` +
        `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${loadAfter.map((l) => l.toFixed(2)).join(' ')} (2 cores, shared); service exited ${stopCode}`,
    );
  } finally {
    if (!stopped) await stopService(service.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
