import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnService } from './service-process.js';
import { median, percentile, ratio, say, timeCommand } from './util.js';

/** Each file's apparent size (sparse: no block is written), so that one more file is a max_size crossing. */
const SEGMENT = 1024 * 1024;
const PER_DIR = 1000;
/** The run stops (tree removed, service stopped) rather than take the machine below this much available memory. */
const FLOOR_BYTES = 6.5 * 1024 ** 3;
/** Rough kernel memory of one empty tmpfs file (inode + dentry), for the check before starting. */
const KERNEL_BYTES_PER_FILE = 1100;
/** The service's resident memory per file at 1,000,000 with the compact index (190–196 B, scan peak 1.12×), with a margin. */
const SERVICE_BYTES_PER_FILE = 350;
const CROSSINGS = 5;

/** Makes the tree in a child process (the parent watches memory meanwhile): date/hour directories, sparse files. */
const MAKER = `
const fs = require('fs');
const [root, files, per, size] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const day0 = Date.UTC(2020, 0, 1);
let dir = '';
for (let n = 0; n < files; n++) {
  if (n % per === 0) {
    const d = n / per;
    const date = new Date(day0 + Math.floor(d / 24) * 86400000).toISOString().slice(0, 10);
    dir = root + '/' + date + '/' + String(d % 24).padStart(2, '0');
    fs.mkdirSync(dir, { recursive: true });
  }
  const fd = fs.openSync(dir + '/seg-' + String(n).padStart(9, '0') + '.mp4', 'wx');
  if (size > 0) fs.ftruncateSync(fd, size);
  fs.closeSync(fd);
}
`;

function memAvailable(): number {
  const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Inotify watches the process holds (every `inotify wd:` line of its descriptors' fdinfo). */
function inotifyWatches(pid: number): number {
  let watches = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      watches += (readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm) ?? []).length;
    } catch {
      // closed meanwhile
    }
  }
  return watches;
}

/** Watches available memory until stopped; calls `abort` once if it falls below the floor. */
function memoryGuard(abort: (why: string) => void): { stop(): void; lowest(): number } {
  let lowest = memAvailable();
  let fired = false;
  const timer = setInterval(() => {
    const available = memAvailable();
    lowest = Math.min(lowest, available);
    if (!fired && available < FLOOR_BYTES) {
      fired = true;
      abort(`available memory fell to ${(available / 1024 ** 3).toFixed(1)} GiB (floor ${(FLOOR_BYTES / 1024 ** 3).toFixed(1)} GiB)`);
    }
  }, 250);
  return { stop: () => clearInterval(timer), lowest: () => lowest };
}


async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

/** Resolves once `probe` is true, polling every millisecond (for the crossing's reaction: a file's disappearance). */
async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** One service (this build or a baseline's main.js) measuring the tree: ready, memory, watches, crossings. */
async function measure(label: string, main: string, dir: string, mount: string, rec: string, files: number, duMs: number, firstOldest: number): Promise<void> {
  const data = mkdtempSync(path.join(dir, 'data-'));
  const service = spawnService(main, {
    SM_VOLUMES_DIR: mount,
    SM_DATA_DIR: data,
    SM_DB_PATH: path.join(data, 'db.sqlite'),
    SM_API_PORT: '0',
    SM_LOG_LEVEL: 'INFO',
    // No sweep during the measurement: it would rescan the whole tree.
    SM_CHECK_INTERVAL_SECONDS: '86400',
  });
  let aborted: string | undefined;
  const guard = memoryGuard((why) => {
    aborted = why;
    service.child.kill('SIGKILL');
  });
  try {
    const base = (await service.waitFor(/Listening on (http:\/\/\S+)/))[1]!;
    const pid = service.child.pid!;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = status(pid).rss;
    const load0 = loadavg();
    const measured = service.waitFor(/Measuring cam:\/rec: (\d+) files/);
    const t0 = performance.now();
    // Capped one half segment above the tree: each file added is one crossing, the oldest file goes.
    await post(`${base}/api/register`, {
      volume_name: 'cam',
      path: '/rec',
      algorithm: 'max_size',
      params: { max_bytes: files * SEGMENT + SEGMENT / 2, min_age_seconds: 0 },
    });
    const counted = Number((await measured)[1]);
    const readyMs = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = status(pid);
    const watches = inotifyWatches(pid);
    say(
      `B2X ${label}: ${counted.toLocaleString('en')} files scanned + watched, ready in ${(readyMs / 1000).toFixed(1)} s = ${ratio(readyMs, duMs)} du -sb ` +
        `(${(duMs / 1000).toFixed(1)} s); RSS ${(before / 1e6).toFixed(0)} → ${(after.rss / 1e6).toFixed(0)} MB = ${((after.rss - before) / counted).toFixed(0)} B/file (delta), ` +
        `peak ${(after.hwm / 1e6).toFixed(0)} MB = ${((after.hwm - before) / counted).toFixed(0)} B/file; ${watches.toLocaleString('en')} inotify watches; load ${load0} → ${loadavg()}`,
    );

    // Crossings: a sparse segment added to the newest hour directory pushes the cap over; the oldest file goes.
    const days = readdirSync(rec).sort();
    const newestDay = path.join(rec, days[days.length - 1]!);
    const hours = readdirSync(newestDay).sort();
    const newest = path.join(newestDay, hours[hours.length - 1]!);
    const reactions: number[] = [];
    for (let i = 0; i < CROSSINGS; i++) {
      const oldest = oldestFile(rec, firstOldest + i);
      const file = path.join(newest, `seg-new-${label.replace(/\W/g, '')}-${i}.mp4`);
      const started = performance.now();
      spawnSync('truncate', ['-s', String(SEGMENT), file]);
      await until(() => !existsSync(oldest), 30_000);
      reactions.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    say(
      `B2X ${label}: reaction to a crossing (segment added → the oldest of ${counted.toLocaleString('en')} gone): first ${reactions[0]!.toFixed(0)} ms ` +
        `(builds the kept order), then median ${median(reactions.slice(1)).toFixed(0)} ms, max ${percentile(reactions.slice(1), 100).toFixed(0)} ms; load ${loadavg()}`,
    );
  } catch (error) {
    if (aborted) throw new Error(`B2X ${label} stopped: ${aborted}`, { cause: error });
    throw error;
  } finally {
    guard.stop();
    say(`B2X ${label}: lowest available memory during the run ${(guard.lowest() / 1024 ** 3).toFixed(1)} GiB`);
    if (service.child.exitCode === null && service.child.signalCode === null) {
      const exited = new Promise((resolve) => service.child.once('exit', resolve));
      service.child.kill('SIGTERM');
      await exited;
    }
  }
}

/** The i-th file made (the tree's order is its names'), or the path it had. */
function oldestFile(rec: string, i: number): string {
  const day0 = Date.UTC(2020, 0, 1);
  const d = Math.floor(i / PER_DIR);
  const date = new Date(day0 + Math.floor(d / 24) * 86400000).toISOString().slice(0, 10);
  return path.join(rec, date, String(d % 24).padStart(2, '0'), `seg-${String(i).padStart(9, '0')}.mp4`);
}

/**
 * B2X: a camera-scale target, SM_BENCH_B2X_FILES files (default 10,000,000) in date/hour directories of 1,000 on a
 * tmpfs, each a sparse 1 MiB segment (no block written: the tree costs the kernel's inodes and dentries only, ~1 KB a
 * file). The real service (the build in .bench-build) registers it under a max_size cap: time to scanned and watched
 * against `du -sb`, RSS per file (delta and peak), inotify watches used, and the reaction to crossings. With
 * SM_BENCH_B2X_BASELINE (another build's main.js) the same measurement runs on the same tree with that build too.
 * The run refuses to start, or stops, rather than take the machine below 6.5 GiB of available memory.
 */
export async function benchTenMillion(files = Number(process.env.SM_BENCH_B2X_FILES ?? 10_000_000)): Promise<void> {
  const need = files * (KERNEL_BYTES_PER_FILE + SERVICE_BYTES_PER_FILE);
  if (memAvailable() - need < FLOOR_BYTES) {
    say(
      `B2X ${files.toLocaleString('en')} files: not run, ${(memAvailable() / 1024 ** 3).toFixed(1)} GiB available and the tree plus the service need ` +
        `~${(need / 1024 ** 3).toFixed(1)} GiB (floor ${(FLOOR_BYTES / 1024 ** 3).toFixed(1)} GiB); set SM_BENCH_B2X_FILES lower`,
    );
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b2x-'));
  const mount = path.join(dir, 'volumes');
  mkdirSync(mount);
  const dirs = Math.ceil(files / PER_DIR);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=1g,nr_inodes=${files + dirs + Math.ceil(dirs / 24) + 10_000}`, 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount tmpfs (needs root): ${mounted.stderr}`);
  try {
    const rec = path.join(mount, 'cam', 'rec');
    mkdirSync(rec, { recursive: true });
    const load0 = loadavg();
    const t0 = performance.now();
    const maker = spawn(process.execPath, ['-e', MAKER, rec, String(files), String(PER_DIR), String(SEGMENT)], { stdio: 'inherit' });
    let aborted: string | undefined;
    const guard = memoryGuard((why) => {
      aborted = why;
      maker.kill('SIGKILL');
    });
    const code = await new Promise<number | null>((resolve) => maker.once('exit', resolve));
    guard.stop();
    if (aborted) throw new Error(`B2X stopped while making the tree: ${aborted}`);
    if (code !== 0) throw new Error(`the tree maker exited ${code}`);
    const makeMs = performance.now() - t0;
    say(
      `B2X tree: ${files.toLocaleString('en')} sparse files in ${dirs.toLocaleString('en')} hour directories made in ${(makeMs / 1000).toFixed(1)} s ` +
        `(${((makeMs * 1000) / files).toFixed(1)} µs/file, fs.openSync + ftruncateSync + closeSync in one process); load ${load0} → ${loadavg()}`,
    );
    timeCommand('du', ['-sb', rec]);
    const du = files >= 5_000_000 ? timeCommand('du', ['-sb', rec]) : median([timeCommand('du', ['-sb', rec]), timeCommand('du', ['-sb', rec])]);
    say(`B2X du -sb (warm): ${(du / 1000).toFixed(1)} s; load ${loadavg()}; available memory ${(memAvailable() / 1024 ** 3).toFixed(1)} GiB with the tree`);
    await measure('this build', path.resolve('.bench-build/src/main.js'), dir, mount, rec, files, du, 0);
    const baseline = process.env.SM_BENCH_B2X_BASELINE;
    if (baseline) {
      // The crossings above removed the oldest files and added as many: the same count, a fresh service.
      await measure('baseline', path.resolve(baseline), dir, mount, rec, files, du, CROSSINGS);
    }
  } finally {
    spawnSync('umount', [mount]);
    rmSync(dir, { recursive: true, force: true });
  }
}
