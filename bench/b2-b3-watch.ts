import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { IDLE_THREAD_MS } from '../src/adapters/filesystem/scan-threads.js';
import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { TargetMonitor } from '../src/measuring/target-monitor.js';
import { TimeSlices } from '../src/common/time-slices.js';
import { DirectoryWatchAdapter } from '../src/adapters/watching/directory-watch.adapter.js';
import { ParcelWatchAdapter } from '../src/adapters/watching/parcel-watch.adapter.js';
import type { WatchPort } from '../src/measuring/watch.port.js';
import { BENCH_DIR, ensureTree, median, ratio, say, timeCommand, warm } from './util.js';

const WATCHERS: Record<string, () => WatchPort> = {
  directories: () => new DirectoryWatchAdapter(),
  parcel: () => new ParcelWatchAdapter(),
};

/**
 * B2: time until a target is scanned and watched, and resident memory per watched file, for each native
 * adapter. Each measurement runs in a fresh process, so that no other benchmark's memory blurs the RSS.
 */
export async function benchWatchReady(files: number, dirs: number): Promise<void> {
  const root = ensureTree(`tree-${files}`, files, dirs);
  // 'none': the same with no watch at all, which tells the index's share from the watches'.
  for (const watcher of [...Object.keys(WATCHERS), 'none']) {
    const child = spawn(process.execPath, ['--expose-gc', process.argv[1]!, 'B2-ONE', root, watcher], { stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`B2 for ${watcher} exited with ${code}`);
  }
}

/** RSS sampled every 50 ms: the highest seen since the last reset. */
class RssSampler {
  private peak = 0;
  private readonly timer = setInterval(() => this.sample(), 50);

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  /** The highest RSS since the last call (sampling once more first), and a new start. */
  takePeak(): number {
    this.sample();
    const peak = this.peak;
    this.peak = 0;
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * RSS once settled: GCs, and long enough for the scan's idle worker threads to end (IDLE_THREAD_MS: their heaps go
 * with them), as they do in a service between scans.
 */
async function settle(): Promise<number> {
  const rounds = Math.ceil((IDLE_THREAD_MS + 1000) / 400);
  for (let i = 0; i < rounds; i++) {
    global.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  return process.memoryUsage.rss();
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

/**
 * One B2 measurement in this (fresh) process: time to ready, steady RSS per file, the peak RSS during the scan
 * (sampled every 50 ms, and the kernel's high-water mark), then a cleanup of 50,000 files through the index path a
 * run takes (its order built ahead in slices, the oldest files read in order, each removed as its deletion's watch
 * event removes it), with the peak during it and the RSS after.
 */
export async function benchWatchReadyOnce(root: string, watcher: string): Promise<void> {
  warm(root);
  const du = median([timeCommand('du', ['-sb', root]), timeCommand('du', ['-sb', root])]);
  global.gc?.();
  const before = process.memoryUsage.rss();
  const sampler = new RssSampler();
  sampler.takePeak();
  const started = performance.now();
  const monitor = new TargetMonitor('bench', root, watcher !== 'none', (WATCHERS[watcher] ?? WATCHERS.directories!)(), new FsTreeReader(), { onChange: () => undefined, onRootLost: () => undefined, onWatchProblem: () => undefined });
  await monitor.start();
  const readyMs = performance.now() - started;
  const scanPeak = sampler.takePeak();
  const highWater = process.resourceUsage().maxRSS * 1024;
  const after = await settle();
  const files = monitor.tally.files;
  const perFile = (after - before) / files;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  say(
    `B2 watch ${files.toLocaleString('en')} files with ${watcher}: ready in ${readyMs.toFixed(0)} ms (${ratio(readyMs, du)} du -sb ${du.toFixed(0)} ms), ` +
      `RSS +${mb(after - before)} = ${perFile.toFixed(0)} bytes per ${watcher === 'none' ? 'file (index only, no watch)' : 'watched file (index + watches)'}; ` +
      `peak during the scan +${mb(scanPeak - before)} sampled, +${mb(highWater - before)} high-water = ${((highWater - before) / (after - before)).toFixed(2)}× steady (load ${load})`,
  );
  const index = monitor.files as unknown as { footprint?: () => Record<string, number> };
  if (index.footprint) {
    const f = index.footprint();
    say(`   index footprint (bytes per file): ${Object.entries(f).filter(([k]) => k !== 'files' && k !== 'slots').map(([k, v]) => `${k} ${(v / files).toFixed(1)}`).join(', ')}; slots ${f.slots!.toLocaleString('en')}`);
  }
  if (files >= 500_000) await cleanupThroughIndex(monitor, sampler, before, after);
  sampler.stop();
  await monitor.close();
}

/** 50,000 of the oldest files leave the index as a cleanup's deletions do; RSS peak during it, and once settled. */
async function cleanupThroughIndex(monitor: TargetMonitor, sampler: RssSampler, before: number, steady: number, count = 50_000): Promise<void> {
  const index = monitor.files;
  sampler.takePeak();
  const started = performance.now();
  await index.prepareOrder('mtime', new TimeSlices());
  const planned: string[] = [];
  for (const file of index.ordered('mtime')) {
    planned.push(file.path);
    if (planned.length === count) break;
  }
  const slices = new TimeSlices();
  for (const path of planned) {
    index.remove(path);
    await slices.maybePause();
  }
  const ms = performance.now() - started;
  planned.length = 0;
  const peak = sampler.takePeak();
  const settled = await settle();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  say(
    `   cleanup of ${count.toLocaleString('en')} through the index (order built ahead, then removals): ${ms.toFixed(0)} ms, ` +
      `peak +${mb(peak - before)} (${((peak - before) / (steady - before)).toFixed(2)}× steady), after +${mb(settled - before)} = ${((settled - before) / index.size).toFixed(0)} B/file (load ${load})`,
  );
}

/** B3: a burst of creates by another process; files missing from the tally once quiet, and the lag (each native adapter). */
export async function benchBurst(files = 50_000, dirs = 100): Promise<void> {
  for (const watcher of Object.keys(WATCHERS)) await burstWith(watcher, files, dirs);
}

async function burstWith(watcher: string, files: number, dirs: number): Promise<void> {
  const root = path.join(BENCH_DIR, 'burst');
  rmSync(root, { recursive: true, force: true });
  for (let d = 0; d < dirs; d++) mkdirSync(path.join(root, `d${d}`), { recursive: true });
  let changed: (() => void) | undefined;
  const monitor = new TargetMonitor('burst', root, true, WATCHERS[watcher]!(), new FsTreeReader(), {
    onChange: () => changed?.(),
    onRootLost: () => undefined,
    onWatchProblem: () => undefined,
  });
  await monitor.start();
  const writer = `const fs=require('fs');for(let i=0;i<${files};i++)fs.writeFileSync(${JSON.stringify(root)}+'/d'+(i%${dirs})+'/f'+i,'x');`;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', writer], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
  });
  const writerDone = performance.now();
  // Wait (event-driven, bounded) until the tally reaches the count, then give the quiet re-list its turn.
  const deadline = writerDone + 5000;
  while (monitor.tally.files < files && performance.now() < deadline) {
    await new Promise<void>((resolve) => {
      changed = resolve;
      setTimeout(resolve, deadline - performance.now()).unref();
    });
  }
  const lag = performance.now() - writerDone;
  const onDisk = Number(execFileSync('sh', ['-c', `find ${root} -type f | wc -l`], { encoding: 'utf8' }).trim());
  say(
    `B3 burst of ${files.toLocaleString('en')} creates in ${dirs} dirs with ${watcher} (writer ${((writerDone - started) / 1000).toFixed(1)} s): ` +
      `${onDisk - monitor.tally.files} missing from the tally, lag after the writer stopped ${lag.toFixed(0)} ms`,
  );
  await monitor.close();
  rmSync(root, { recursive: true, force: true });
}
