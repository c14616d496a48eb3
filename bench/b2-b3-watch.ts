import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { TargetMonitor } from '../src/measuring/target-monitor.js';
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
  for (const watcher of Object.keys(WATCHERS)) {
    const child = spawn(process.execPath, ['--expose-gc', process.argv[1]!, 'B2-ONE', root, watcher], { stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`B2 for ${watcher} exited with ${code}`);
  }
}

/** One B2 measurement in this (fresh) process. */
export async function benchWatchReadyOnce(root: string, watcher: string): Promise<void> {
  warm(root);
  const du = median([timeCommand('du', ['-sb', root]), timeCommand('du', ['-sb', root])]);
  global.gc?.();
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const monitor = new TargetMonitor('bench', root, true, WATCHERS[watcher]!(), new FsTreeReader(), { onChange: () => undefined, onRootLost: () => undefined, onWatchProblem: () => undefined });
  await monitor.start();
  const readyMs = performance.now() - started;
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  global.gc?.();
  const after = process.memoryUsage().rss;
  const perFile = (after - before) / monitor.tally.files;
  say(
    `B2 watch ${monitor.tally.files.toLocaleString('en')} files with ${watcher}: ready in ${readyMs.toFixed(0)} ms (${ratio(readyMs, du)} du -sb ${du.toFixed(0)} ms), ` +
      `RSS +${((after - before) / 1e6).toFixed(0)} MB = ${perFile.toFixed(0)} bytes per watched file (index + watches)`,
  );
  await monitor.close();
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
