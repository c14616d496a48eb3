import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom } from './support/random.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Tally } from '../src/measuring/file-index.js';
import { ScanRunner } from '../src/measuring/scan-runner.js';
import { COALESCE_MS, QUIET_RELIST_MS, TargetMonitor } from '../src/measuring/target-monitor.js';
import { ChokidarWatchAdapter } from '../src/watching/chokidar-watch.adapter.js';
import { ParcelWatchAdapter } from '../src/watching/parcel-watch.adapter.js';
import type { WatchPort } from '../src/watching/watch.port.js';

/**
 * Seeded random file operations against a watched target: once the writer stops, the incremental tally
 * must equal an independent count (find's inode/size listing) within one coalescing window.
 */

const OPERATIONS = Number(process.env.SM_RANDOM_OPS ?? 10_000);
const SEED = Number(process.env.SM_RANDOM_SEED ?? 7);


/** The independent count: distinct inodes' sizes and regular-file paths, as find sees them. */
function findCount(root: string): { bytes: number; files: number } {
  const out = execFileSync('find', [root, '-type', 'f', '-printf', '%i %s\n'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const inodes = new Map<string, number>();
  let files = 0;
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [ino, size] = line.split(' ');
    inodes.set(ino!, Number(size));
    files++;
  }
  let bytes = 0;
  for (const size of inodes.values()) bytes += size;
  return { bytes, files };
}

const ADAPTERS: Array<[string, () => WatchPort]> = [
  ['parcel', () => new ParcelWatchAdapter()],
  ['chokidar', () => new ChokidarWatchAdapter()],
];

describe.each(ADAPTERS)('target monitor with %s', (_name, makeWatcher) => {
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
    monitor = new TargetMonitor('t', root, true, makeWatcher(), new ScanRunner(), {
      onChange: () => changes.splice(0).forEach((resolve) => resolve()),
      onRootLost: () => undefined,
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
    const random = seededRandom(SEED);
    const dirs = ['', 'existing'];
    const files: string[] = readdirSync(path.join(root, 'existing')).map((f) => `existing/${f}`);
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
    const abs = (rel: string): string => path.join(root, rel);
    const counts: Record<string, number> = {};
    for (let op = 0; op < OPERATIONS; op++) {
      const roll = random();
      let kind: string;
      try {
        if (roll < 0.3 || files.length < 5) {
          kind = 'create';
          const rel = `${pick(dirs)}/n${op}`.replace(/^\//, '');
          writeFileSync(abs(rel), Buffer.alloc(Math.floor(random() * 4096)));
          files.push(rel);
        } else if (roll < 0.45) {
          kind = 'append';
          appendFileSync(abs(pick(files)), Buffer.alloc(Math.floor(random() * 2048)));
        } else if (roll < 0.52) {
          kind = 'truncate';
          truncateSync(abs(pick(files)), Math.floor(random() * 100));
        } else if (roll < 0.64) {
          kind = 'rename';
          const from = pick(files);
          const to = `${pick(dirs)}/r${op}`.replace(/^\//, '');
          renameSync(abs(from), abs(to));
          files.splice(files.indexOf(from), 1, to);
        } else if (roll < 0.78) {
          kind = 'delete';
          const victim = pick(files);
          unlinkSync(abs(victim));
          files.splice(files.indexOf(victim), 1);
        } else if (roll < 0.84) {
          kind = 'hardlink';
          const to = `${pick(dirs)}/h${op}`.replace(/^\//, '');
          linkSync(abs(pick(files)), abs(to));
          files.push(to);
        } else if (roll < 0.88) {
          kind = 'symlink';
          const target = random() < 0.5 ? path.join(outside, 'big.bin') : abs(pick(files));
          symlinkSync(target, abs(`${pick(dirs)}/s${op}`.replace(/^\//, '')));
        } else if (roll < 0.95) {
          kind = 'mkdir';
          const rel = `${pick(dirs)}/d${op}`.replace(/^\//, '');
          mkdirSync(abs(rel));
          dirs.push(rel);
          // Files written at once into the fresh directory: the case native watchers drop most.
          for (let i = 0; i < 3; i++) {
            writeFileSync(abs(`${rel}/x${i}`), Buffer.alloc(100 + i));
            files.push(`${rel}/x${i}`);
          }
        } else if (roll < 0.97 && dirs.length > 3) {
          kind = 'rename-dir';
          const from = pick(dirs.filter((d) => d !== '' && d !== 'existing'));
          const to = `moved${op}`;
          renameSync(abs(from), abs(to));
          for (let i = 0; i < dirs.length; i++) if (dirs[i] === from || dirs[i]!.startsWith(`${from}/`)) dirs[i] = to + dirs[i]!.slice(from.length);
          for (let i = 0; i < files.length; i++) if (files[i]!.startsWith(`${from}/`)) files[i] = to + files[i]!.slice(from.length);
        } else if (dirs.length > 3) {
          kind = 'rm-rf';
          const victim = pick(dirs.filter((d) => d !== '' && d !== 'existing'));
          rmSync(abs(victim), { recursive: true, force: true });
          for (let i = dirs.length - 1; i >= 0; i--) if (dirs[i] === victim || dirs[i]!.startsWith(`${victim}/`)) dirs.splice(i, 1);
          for (let i = files.length - 1; i >= 0; i--) if (files[i]!.startsWith(`${victim}/`)) files.splice(i, 1);
        } else {
          kind = 'noop';
        }
      } catch (error) {
        kind = `failed:${(error as NodeJS.ErrnoException).code ?? 'x'}`;
      }
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (op % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    for (let i = files.length - 1; i >= 0; i--) if (!existsSync(abs(files[i]!))) files.splice(i, 1);

    // The writer has stopped: the tally must reach the independent count within one coalescing window.
    const stopped = performance.now();
    const expected = findCount(root);
    const deadline = COALESCE_MS + QUIET_RELIST_MS + 1000;
    const tallyOf = (t: Tally): { bytes: number; files: number } => ({ bytes: t.bytes, files: t.files });
    while (JSON.stringify(tallyOf(monitor.tally)) !== JSON.stringify(expected) && performance.now() - stopped < deadline) {
      await Promise.race([
        new Promise<void>((resolve) => changes.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, deadline - (performance.now() - stopped)).unref()),
      ]);
    }
    if (process.env.SM_DEBUG_MONITOR) {
      const indexed = new Set([...monitor.files.entries()].map((e) => e.path));
      const onDisk = execFileSync('find', [root, '-type', 'f', '-printf', '%P\n'], { encoding: 'utf8' }).split('\n').filter(Boolean);
      writeFileSync(path.join(tmpdir(), 'sm-monitor-debug.txt'), `elapsed ${Math.round(performance.now() - stopped)} ms\nmissing: ${onDisk.filter((p) => !indexed.has(p)).join(' ')}\nextra: ${[...indexed].filter((p) => !onDisk.includes(p)).join(' ')}\n${JSON.stringify(counts)}\n`);
    }
    expect({ counts: Object.keys(counts).length >= 9, tally: tallyOf(monitor.tally) }).toEqual({ counts: true, tally: expected });
    expect(monitor.tally.files).toBeGreaterThan(100);
  });
});
