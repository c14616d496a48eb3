import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { DirectoryWatchAdapter } from '../src/adapters/watching/directory-watch.adapter.js';
import type { PathStat } from '../src/measuring/scan-output.js';
import { QUIET_RESTAT_BUDGET, TargetMonitor } from '../src/measuring/target-monitor.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * A cleanup settles its target's watch events before it plans. Once the events are applied, the monitor goes on to
 * re-read every file of the directories they touched (the safety net for events a watcher lost): a new segment in
 * a directory of thousands is thousands of lstat calls. The cleanup must not wait for that re-read — it is cut short
 * and finished afterwards. On a real tmpfs, with the reads counted where the monitor makes them.
 */

/** The real reader, counting single-path reads; `at(n)` resolves once the n-th read is made. */
class CountingReader extends FsTreeReader {
  reads = 0;
  private readonly waits: Array<{ n: number; resolve: () => void }> = [];

  override statPath(root: string, relative?: string): PathStat | undefined {
    this.reads++;
    for (const wait of [...this.waits]) {
      if (this.reads >= wait.n) {
        this.waits.splice(this.waits.indexOf(wait), 1);
        // Not from inside the read: the caller's generator is running.
        setImmediate(wait.resolve);
      }
    }
    return super.statPath(root, relative);
  }

  at(n: number): Promise<void> {
    if (this.reads >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wait = { n, resolve };
      this.waits.push(wait);
      setTimeout(() => {
        if (this.waits.includes(wait)) reject(new Error(`${this.reads} reads, not ${n}, within 20 s`));
      }, 20_000).unref();
    });
  }
}

const DIRS = 4;
/** With the new segment each, the four directories fit in one quiet re-read's budget. */
const PER_DIR = QUIET_RESTAT_BUDGET / DIRS - 1000;
const FILES = DIRS * PER_DIR;

let fs: ReturnType<typeof mountTmpfs>;
let root: string;
let monitor: TargetMonitor | undefined;

beforeEach(() => {
  fs = mountTmpfs('settle-reread', 64 * 1024 * 1024, FILES + 1000);
  root = path.join(fs.mount, 'rec');
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(path.join(root, `h${d}`), { recursive: true });
    for (let i = 0; i < PER_DIR; i++) writeFileSync(path.join(root, `h${d}`, `seg-${i}.mp4`), '');
  }
});

afterEach(async () => {
  await monitor?.close();
  monitor = undefined;
  fs.unmount();
});

describe('settling before a plan', () => {
  it('applies the events without waiting for the re-read of the directories they touched, which still happens', async () => {
    const reader = new CountingReader();
    monitor = new TargetMonitor('t', root, true, new DirectoryWatchAdapter(), reader, {
      onChange: () => undefined,
      onRootLost: () => undefined,
      onWatchProblem: () => undefined,
    });
    await monitor.start();
    expect(monitor.tally.files).toBe(FILES);

    // One new segment in each hour directory: the events name 4 files, the re-read is every file of the 4 directories.
    const start = reader.reads;
    for (let d = 0; d < DIRS; d++) writeFileSync(path.join(root, `h${d}`, 'seg-new.mp4'), 'x');
    // The timed application is under way: past the 4 events, inside the re-read.
    await reader.at(start + DIRS + 100);
    await monitor.settle();
    const atSettle = reader.reads - start;
    expect(monitor.tally.files).toBe(FILES + DIRS);
    // Without the cut the settle would have waited for all of the re-read (16,008 reads).
    expect(atSettle).toBeLessThan(FILES / 2);

    // The re-read is finished later all the same: every file of the touched directories is read again.
    await reader.at(start + DIRS + FILES + DIRS);
    expect(reader.reads - start).toBeGreaterThanOrEqual(DIRS + FILES + DIRS);
  });
});
