import { execFileSync, spawn } from 'node:child_process';
import { findCount } from './support/find-count.js';
import { TimedWatcher } from './support/timed-watcher.js';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Tally } from '../src/measuring/file-index.js';
import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { TargetMonitor } from '../src/measuring/target-monitor.js';
import { ChokidarWatchAdapter } from '../src/adapters/watching/chokidar-watch.adapter.js';
import { DirectoryWatchAdapter } from '../src/adapters/watching/directory-watch.adapter.js';
import type { WatchPort } from '../src/measuring/watch.port.js';

/**
 * Seeded random file operations against a watched target: once the writer stops, the incremental tally
 * must converge to an independent count (find's inode/size listing). How soon (within one coalescing window,
 * 200 ms) is a speed figure: benchmark B7 measures it over several seeds (`npm run bench B7`).
 */

const OPERATIONS = Number(process.env.SM_RANDOM_OPS ?? 10_000);
const SEED = Number(process.env.SM_RANDOM_SEED ?? 7);
const WRITER = fileURLToPath(new URL('./support/random-writer.mjs', import.meta.url));

/**
 * However late a watcher's events, the count must be reached this long after the writer stops. A bound on
 * waiting, not the engine's window (B7's figure): about 25× the window, so that two loaded cores (a find over
 * the tree, a scheduler that runs other suites first) cannot fail a run that converges.
 */
const MAX_CONVERGENCE_MS = 5000;

/**
 * [name, adapter].
 * @parcel/watcher (selectable, not the default) is not in this list: a directory created while it re-reads
 * its tree after a move goes unwatched until the next move or sweep, so in about one run in fifty a few files
 * are still missing after a second. Its contract (including moves) is tested in watcher-contract.
 */
const ADAPTERS: Array<[string, () => WatchPort]> = [
  ['directories', () => new DirectoryWatchAdapter()],
  ['chokidar', () => new ChokidarWatchAdapter()],
];

describe.each(ADAPTERS)('target monitor with %s', (_name, makeWatcher) => {
  let watcher: TimedWatcher;
  let base: string;
  let root: string;
  let outside: string;
  let monitor: TargetMonitor;
  let changes: Array<() => void>;

  beforeEach(async () => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), 'sm-monitor-')));
    root = path.join(base, 'target');
    outside = path.join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'big.bin'), Buffer.alloc(50_000));
    mkdirSync(path.join(root, 'existing'));
    for (let i = 0; i < 50; i++) writeFileSync(path.join(root, 'existing', `f${i}`), Buffer.alloc(i * 10));
    changes = [];
    watcher = new TimedWatcher(makeWatcher());
    monitor = new TargetMonitor('t', root, true, watcher, new FsTreeReader(), {
      onChange: () => changes.splice(0).forEach((resolve) => resolve()),
      onRootLost: () => undefined,
    onWatchProblem: () => undefined,
    });
    await monitor.start();
  });

  afterEach(async () => {
    await monitor.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('starts from an exact scan (symlinks and outside files not counted)', () => {
    symlinkSync(path.join(outside, 'big.bin'), path.join(root, 'link-out'));
    expect(monitor.tally).toMatchObject(findCount(root));
  });

  it(`converges after ${OPERATIONS} random operations`, async () => {
    // The writer is another process, as an app writing into its volume would be.
    const writer = spawn(process.execPath, [WRITER, root, outside, String(SEED), String(OPERATIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    writer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(writer, 'close')) as [number | null];
    expect(code).toBe(0);
    const counts = JSON.parse(output) as Record<string, number>;

    // The writer has stopped: the tally must reach the independent count (see MAX_CONVERGENCE_MS).
    const stopped = performance.now();
    const expected = findCount(root);
    const giveUp = stopped + MAX_CONVERGENCE_MS;
    const tallyOf = (t: Tally): { bytes: number; files: number } => ({ bytes: t.bytes, files: t.files });
    const converged = (): boolean => JSON.stringify(tallyOf(monitor.tally)) === JSON.stringify(expected);
    while (!converged() && performance.now() < giveUp) {
      await Promise.race([
        new Promise<void>((resolve) => changes.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, giveUp - performance.now()).unref()),
      ]);
    }
    const convergedAt = performance.now();
    if (process.env.SM_DEBUG_MONITOR) {
      const indexed = new Set([...monitor.files.entries()].map((e) => e.path));
      const onDisk = execFileSync('find', [root, '-type', 'f', '-printf', '%P\n'], { encoding: 'utf8' }).split('\n').filter(Boolean);
      writeFileSync(
        path.join(tmpdir(), 'sm-monitor-debug.txt'),
        `after the writer: ${Math.round(convergedAt - stopped)} ms, after the last event: ${Math.round(convergedAt - watcher.lastEventAt)} ms\n` +
          `missing: ${onDisk.filter((p) => !indexed.has(p)).join(' ')}\nextra: ${[...indexed].filter((p) => !onDisk.includes(p)).join(' ')}\n${JSON.stringify(counts)}\n`,
      );
    }
    expect({ counts: Object.keys(counts).length >= 9, tally: tallyOf(monitor.tally) }).toEqual({ counts: true, tally: expected });
    expect(monitor.tally.files).toBeGreaterThan(100);
  });
});
