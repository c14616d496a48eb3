import { spawn } from 'node:child_process';
import { findCount } from '../test/support/find-count.js';
import { TimedWatcher } from '../test/support/timed-watcher.js';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { ChokidarWatchAdapter } from '../src/adapters/watching/chokidar-watch.adapter.js';
import { DirectoryWatchAdapter } from '../src/adapters/watching/directory-watch.adapter.js';
import { COALESCING_WINDOW_MS, TargetMonitor } from '../src/measuring/target-monitor.js';
import type { WatchPort } from '../src/measuring/watch.port.js';
import { median, say } from './util.js';

/** The seeded writer of the monitor-convergence test, from the source tree (two levels above the built bench). */
const WRITER = fileURLToPath(new URL('../../test/support/random-writer.mjs', import.meta.url));
const GIVE_UP_MS = 5000;

/**
 * [name, adapter, held to the window after the writer stops (rather than after its own last event)]: chokidar's
 * own delivery trails the writer by up to ~200 ms, so it is held to the window after its last event.
 */
const ADAPTERS: Array<[string, () => WatchPort, boolean]> = [
  ['directories', () => new DirectoryWatchAdapter(), true],
  ['chokidar', () => new ChokidarWatchAdapter(), false],
];

/** One seeded run: the lag from the reference moment until the tally equals find's count (Infinity: never). */
async function convergenceLag(makeWatcher: () => WatchPort, strict: boolean, seed: number, operations: number): Promise<number> {
  const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'sm-b7-')));
  const root = path.join(base, 'target');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'existing'), { recursive: true });
  mkdirSync(outside);
  for (let i = 0; i < 50; i++) writeFileSync(path.join(root, 'existing', `f${i}`), Buffer.alloc(i * 10));
  const changes: Array<() => void> = [];
  const watcher = new TimedWatcher(makeWatcher());
  const monitor = new TargetMonitor('b7', root, true, watcher, new FsTreeReader(), {
    onChange: () => changes.splice(0).forEach((resolve) => resolve()),
    onRootLost: () => undefined,
    onWatchProblem: () => undefined,
  });
  await monitor.start();
  try {
    const writer = spawn(process.execPath, [WRITER, root, outside, String(seed), String(operations)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const [code] = (await once(writer, 'close')) as [number | null];
    if (code !== 0) throw new Error(`random writer exited with ${code}`);
    const stopped = performance.now();
    const expected = findCount(root);
    const converged = (): boolean => monitor.tally.bytes === expected.bytes && monitor.tally.files === expected.files;
    const giveUp = stopped + GIVE_UP_MS;
    while (!converged() && performance.now() < giveUp) {
      await Promise.race([
        new Promise<void>((resolve) => changes.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, giveUp - performance.now()).unref()),
      ]);
    }
    if (!converged()) return Infinity;
    return performance.now() - (strict ? stopped : Math.max(stopped, watcher.lastEventAt));
  } finally {
    await monitor.close();
    rmSync(base, { recursive: true, force: true });
  }
}

/**
 * B3b: seeded random operations by another process (the monitor-convergence test's writer); once it stops, how
 * long until the incremental tally equals an independent count. Target: within the coalescing window.
 */
export async function benchConvergence(runs = 5, operations = Number(process.env.SM_RANDOM_OPS ?? 10_000)): Promise<void> {
  for (const [name, makeWatcher, strict] of ADAPTERS) {
    const lags: number[] = [];
    for (let seed = 1; seed <= runs; seed++) lags.push(await convergenceLag(makeWatcher, strict, seed, operations));
    const within = lags.filter((lag) => lag <= COALESCING_WINDOW_MS).length;
    const shown = (ms: number): string => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : `not within ${GIVE_UP_MS} ms`);
    say(
      `B3b convergence after ${operations.toLocaleString('en')} random operations with ${name}, ${runs} seeds: ` +
        `median ${shown(median(lags))}, max ${shown(Math.max(...lags))} after ${strict ? 'the writer stopped' : 'its last event'}; ` +
        `${within}/${runs} within the ${COALESCING_WINDOW_MS} ms window`,
    );
  }
}
