import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOOP_PROBE } from './b11h-health-during-cleanup.js';
import { spawnService } from './service-process.js';
import { median, percentile, say, timeCommand } from './util.js';

type Service = ReturnType<typeof spawnService>;
interface Loop {
  p50: number;
  p99: number;
  max: number;
}
interface HealthMeasuring {
  root: string;
  last_scan: string | null;
  watching: boolean;
}
interface Health {
  measuring: HealthMeasuring[];
  measured?: { targets: number; ready: number };
  scheduler: { jobs: Array<{ name: string; running: boolean; runs: number; last_duration_ms: number | null }> };
}

/** The quiet target (its files cap is the files each target holds) and the busy neighbour's volume. */
const QUIET = 'v0000';
const NEIGHBOUR = 'big';
const DELETED_PER_ROUND = 50_000;
/** The quiet target is pushed over its cap this often by the writer (the bench process, not the service). */
const WRITE_EVERY_MS = 150;
const QUIET_WINDOW_MS = 8_000;
const TAIL_MS = 2_000;
const POLL_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

async function health(base: string): Promise<Health> {
  return (await (await fetch(`${base}/api/health`)).json()) as Health;
}

/** Targets first-scanned and watched, as /api/health says (its own count where it has one, otherwise from the list). */
function readyCount(report: Health): number {
  if (report.measured) return report.measured.ready;
  return report.measuring.filter((m) => m.last_scan !== null && m.watching).length;
}

async function untilReady(base: string, targets: number, timeoutMs = 900_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (readyCount(await health(base)) >= targets) return;
    if (performance.now() > deadline) throw new Error(`not all ${targets} targets ready after ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** Waits for the start-up catch-up sweep to end; its duration (ms), or undefined when it did not within the timeout. */
async function untilSweepDone(base: string, timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const sweep = (await health(base)).scheduler.jobs.find((j) => j.name === 'sweep');
    if (sweep && sweep.runs >= 1 && !sweep.running) return sweep.last_duration_ms ?? undefined;
    if (performance.now() > deadline) return undefined;
    await sleep(500);
  }
}

async function loopSince(service: Service): Promise<Loop> {
  const line = service.waitFor(/LOOP (.*)\n/);
  service.child.kill('SIGUSR2');
  return JSON.parse((await line)[1]!) as Loop;
}

async function stop(service: Service): Promise<number> {
  const t0 = performance.now();
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill('SIGTERM');
  await exited;
  return performance.now() - t0;
}

function makeFiles(dir: string, files: number, perDir: number): void {
  for (let n = 0; n < files; n++) {
    const sub = path.join(dir, `d${String(Math.floor(n / perDir)).padStart(4, '0')}`);
    if (n % perDir === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${String(n).padStart(7, '0')}`), '');
  }
}

/**
 * Writes one file into the quiet target every WRITE_EVERY_MS (each takes it one file over its cap) and times
 * each crossing from the write until the directory is back at its cap, seen through the bench's own watch of the
 * directory (the deletion's event). Each crossing is tagged with the phase current at its write.
 */
class QuietWriter {
  readonly crossings: Array<{ phase: string; ms: number }> = [];
  phase = 'quiet';
  private readonly open: Array<{ phase: string; at: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private written = 0;
  /** Names unique to this writer: an earlier run's files are still in the directory. */
  private readonly prefix = `x${Date.now().toString(36)}-`;
  private readonly watcher;

  constructor(
    private readonly dir: string,
    private readonly cap: number,
  ) {
    this.watcher = watch(dir, () => this.check());
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.open.push({ phase: this.phase, at: performance.now() });
      writeFileSync(path.join(this.dir, `${this.prefix}${String(this.written++).padStart(6, '0')}`), '');
    }, WRITE_EVERY_MS);
  }

  /** Stops writing; resolves once the last crossing is over (or after 10 s). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (let i = 0; i < 200 && this.open.length > 0; i++) {
      await sleep(50);
      this.check();
    }
    if (this.open.length > 0) throw new Error(`${this.open.length} crossings of the quiet target never ended`);
  }

  close(): void {
    this.watcher.close();
  }

  of(phase: string): number[] {
    return this.crossings.filter((c) => c.phase === phase).map((c) => c.ms);
  }

  private check(): void {
    if (this.open.length === 0 || readdirSync(this.dir).length > this.cap) return;
    const now = performance.now();
    for (const crossing of this.open.splice(0)) this.crossings.push({ phase: crossing.phase, ms: now - crossing.at });
  }
}

function figures(values: number[]): string {
  if (values.length === 0) return 'no crossings';
  return `p50 ${median(values).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (${values.length} crossings)`;
}

/**
 * One full run against one build of the service: registration, restart, start-up to all ready, then the isolation
 * rounds. The tree is shared between builds; the neighbour is made afresh for each.
 */
async function runBuild(label: string, main: string, mount: string, dir: string, targets: number, filesEach: number, rounds: number, duMs: number): Promise<void> {
  const neighbourFiles = DELETED_PER_ROUND * (rounds + 1);
  const neighbourRoot = path.join(mount, NEIGHBOUR, 'rec');
  rmSync(path.join(mount, NEIGHBOUR), { recursive: true, force: true });
  makeFiles(neighbourRoot, neighbourFiles, 1000);
  const data = path.join(dir, `data-${label}`);
  rmSync(data, { recursive: true, force: true });
  const probe = path.join(dir, 'loop-probe.mjs');
  const env = {
    SM_VOLUMES_DIR: mount,
    SM_DATA_DIR: data,
    SM_DB_PATH: path.join(data, 'db.sqlite'),
    SM_API_PORT: '0',
    SM_LOG_LEVEL: 'INFO',
    // No periodic sweep during the measurements (the start-up catch-up sweep still runs, and is waited for).
    SM_CHECK_INTERVAL_SECONDS: '86400',
  };
  const names = Array.from({ length: targets }, (_, i) => `v${String(i).padStart(4, '0')}`);
  const registrations = names.map((name, i) =>
    name === QUIET
      ? { volume_name: name, path: '/rec', algorithm: 'keep_n_latest', params: { keep_count: filesEach, min_age_seconds: 0 } }
      : i % 2 === 0
        ? { volume_name: name, path: '/rec', algorithm: 'keep_n_latest', params: { keep_count: filesEach * 2 } }
        : { volume_name: name, path: '/rec', algorithm: 'max_size', params: { max_bytes: 2 ** 30 } },
  );

  // 1. Registration: an empty service, one import (as an operator restores a backup), until every target is ready.
  let service = spawnService(main, env, probe);
  let base = (await service.waitFor(/Listening on (http:\/\/\S+)/))[1]!;
  await sleep(1000);
  const idle = rssOf(service.child.pid!);
  const t0 = performance.now();
  await post(`${base}/api/registrations/import`, { registrations });
  const importMs = performance.now() - t0;
  await untilReady(base, targets);
  const registeredMs = performance.now() - t0;
  await untilSweepDone(base, 60_000);
  const stopMs = await stop(service);
  say(
    `B12 [${label}] registration of ${targets.toLocaleString('en')} targets by one POST /api/registrations/import: acknowledged in ${importMs.toFixed(0)} ms, ` +
      `all scanned and watched ${(registeredMs / 1000).toFixed(2)} s after the request; idle service before it ${mib(idle.rss)}; stop ${stopMs.toFixed(0)} ms (load ${loadavg()})`,
  );

  // 2. Restart: from spawning the process until every target is scanned and watched.
  const spawned = performance.now();
  service = spawnService(main, env, probe);
  base = (await service.waitFor(/Listening on (http:\/\/\S+)/))[1]!;
  const listeningMs = performance.now() - spawned;
  await untilReady(base, targets);
  const readyMs = performance.now() - spawned;
  const startLoop = await loopSince(service);
  await sleep(1000);
  const ready = rssOf(service.child.pid!);
  const files = targets * filesEach;
  say(
    `B12 [${label}] start-up of ${targets.toLocaleString('en')} targets × ${filesEach.toLocaleString('en')} files: listening after ${listeningMs.toFixed(0)} ms, ` +
      `all scanned and watched after **${(readyMs / 1000).toFixed(2)} s** vs \`du -sb\` of the union ${(duMs / 1000).toFixed(2)} s → **${(readyMs / duMs).toFixed(2)}× du**; ` +
      `event-loop delay during start-up p99 ${startLoop.p99.toFixed(0)} ms, max ${startLoop.max.toFixed(0)} ms (load ${loadavg()})`,
  );
  say(
    `B12 [${label}] RSS after ready ${mib(ready.rss)} (peak ${mib(ready.hwm)}): ${(ready.rss / files).toFixed(0)} B/file, ` +
      `${((ready.rss - idle.rss) / files).toFixed(0)} B/file and ${((ready.rss - idle.rss) / targets / 1024).toFixed(0)} KiB/target above the idle service`,
  );
  const sweepMs = await untilSweepDone(base, 600_000);
  say(`B12 [${label}] start-up catch-up sweep (rescan + policy of every target): ${sweepMs === undefined ? 'not done after 600 s' : `${(sweepMs / 1000).toFixed(1)} s`}`);

  // 3. Isolation: a neighbour of `neighbourFiles` files on its own volume deletes 50,000 per round while the quiet target crosses.
  await post(`${base}/api/register`, { volume_name: NEIGHBOUR, path: '/rec', algorithm: 'keep_n_latest', params: { keep_count: neighbourFiles, min_age_seconds: 0 } });
  for (;;) {
    const entry = (await health(base)).measuring.find((m) => m.root === neighbourRoot);
    if (entry?.last_scan) break;
    await sleep(POLL_MS);
  }
  await sleep(2000);
  const writer = new QuietWriter(path.join(mount, QUIET, 'rec'), filesEach);
  const loops: Record<string, Loop[]> = { quiet: [], during: [] };
  const runs: string[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      writer.phase = 'quiet';
      await loopSince(service);
      writer.start();
      await sleep(QUIET_WINDOW_MS);
      loops.quiet!.push(await loopSince(service));
      const line = service.waitFor(new RegExp(`Cleanup of ${NEIGHBOUR}:/rec \\(\\w+\\): (\\d+) files`));
      const t = performance.now();
      writer.phase = 'during';
      await post(`${base}/api/register`, {
        volume_name: NEIGHBOUR,
        path: '/rec',
        algorithm: 'keep_n_latest',
        params: { keep_count: neighbourFiles - DELETED_PER_ROUND * round, min_age_seconds: 0 },
      });
      const deleted = Number((await line)[1]);
      const runMs = performance.now() - t;
      writer.phase = 'after';
      await sleep(TAIL_MS);
      loops.during!.push(await loopSince(service));
      await writer.stop();
      runs.push(`${deleted.toLocaleString('en')} files in ${(runMs / 1000).toFixed(1)} s`);
    }
  } finally {
    writer.close();
  }
  const quiet = writer.of('quiet');
  const during = writer.of('during');
  const after = writer.of('after');
  const worst = (list: Loop[]): string => `p99 ${Math.max(...list.map((l) => l.p99)).toFixed(0)} ms, max ${Math.max(...list.map((l) => l.max)).toFixed(0)} ms`;
  say(`B12 [${label}] quiet target (${filesEach.toLocaleString('en')} files, one over its cap every ${WRITE_EVERY_MS} ms), no neighbour run: ${figures(quiet)}; event loop ${worst(loops.quiet!)}`);
  say(
    `B12 [${label}] same, while the ${neighbourFiles.toLocaleString('en')}-file neighbour's cleanup runs (${runs.join('; ')}): ${figures(during)}; ` +
      `the ${TAIL_MS / 1000} s after each: ${figures(after)}; event loop over both ${worst(loops.during!)}`,
  );
  const both = [...during, ...after];
  say(
    `B12 [${label}] isolation: quiet target's p99 with the neighbour running ${percentile(both, 99).toFixed(0)} ms vs ${percentile(quiet, 99).toFixed(0)} ms without → ` +
      `**${(percentile(both, 99) / percentile(quiet, 99)).toFixed(2)}×** (goal: p99 ≤ 100 ms) (load ${loadavg()})`,
  );
  await stop(service);
}

/**
 * B12: 1,000 targets of 1,000 empty files each, one volume each (v0000 … v0999 on one tmpfs, the standalone
 * catalog's volume directories), the real service process. Registration by one import; then a restart timed until
 * /api/health reports every target scanned and watched, against `du -sb` over the same 1,000 directories in the same
 * run; RSS; the event loop's delay during start-up. Then isolation: a neighbour volume of 50,000 × (rounds + 1) files
 * (200,000 by default) whose cap is lowered by 50,000 a round while the quiet target (v0000, a files cap) is pushed over its cap by another process.
 * SM_BENCH_B12_BASELINE names the main.js of another build to run the same way first, over the same tree.
 */
export async function benchManyTargets(
  targets = Number(process.env.SM_BENCH_B12_TARGETS ?? 1000),
  filesEach = Number(process.env.SM_BENCH_B12_FILES ?? 1000),
  rounds = Number(process.env.SM_BENCH_B12_ROUNDS ?? 3),
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b12-'));
  const mount = path.join(dir, 'volumes');
  mkdirSync(mount);
  const inodes = targets * (filesEach + 2) + DELETED_PER_ROUND * (rounds + 1) * 1.1 + 100_000;
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=2g,nr_inodes=${Math.round(inodes)}`, 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount tmpfs (needs root): ${mounted.stderr}`);
  try {
    writeFileSync(path.join(dir, 'loop-probe.mjs'), LOOP_PROBE);
    const built = performance.now();
    const roots: string[] = [];
    for (let i = 0; i < targets; i++) {
      const root = path.join(mount, `v${String(i).padStart(4, '0')}`, 'rec');
      mkdirSync(root, { recursive: true });
      for (let f = 0; f < filesEach; f++) writeFileSync(path.join(root, `f${String(f).padStart(5, '0')}`), '');
      roots.push(root);
    }
    say(`B12 tree: ${targets.toLocaleString('en')} volumes × ${filesEach.toLocaleString('en')} empty files on a tmpfs, made in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    const du = [0, 1, 2].map(() => timeCommand('du', ['-sb', ...roots]));
    const duMs = median(du);
    say(`B12 \`du -sb\` over the ${targets.toLocaleString('en')} target directories: ${du.map((d) => d.toFixed(0)).join(', ')} ms (median ${duMs.toFixed(0)} ms)`);
    const baseline = process.env.SM_BENCH_B12_BASELINE;
    if (baseline) await runBuild('baseline', baseline, mount, dir, targets, filesEach, rounds, duMs);
    await runBuild('this build', path.resolve('.bench-build/src/main.js'), mount, dir, targets, filesEach, rounds, duMs);
  } finally {
    spawnSync('umount', [mount]);
    rmSync(dir, { recursive: true, force: true });
  }
}
