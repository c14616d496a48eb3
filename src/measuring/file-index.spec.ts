import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.mjs';
import type { FileEntry } from './file-entry.js';
import { TimeSlices } from '../common/time-slices.js';
import { FileIndex, type Tally } from './file-index.js';
import { ScanPacker, type ScanOutput } from './scan-output.js';

const base = { blocks: 8, mtimeMs: 1, ctimeMs: 1, dev: 1 };

describe('FileIndex', () => {
  it('builds an order ahead in slices while files come and go, and reads it as if it had been built at once', async () => {
    const random = seededRandom(23);
    const index = new FileIndex();
    const live = new Map<string, { mtimeMs: number; size: number }>();
    const put = (path: string, ino: number): void => {
      // Few distinct mtimes and sizes: long runs of equal keys, ordered by path.
      const figures = { mtimeMs: Math.floor(random() * 50), size: Math.floor(random() * 20) };
      index.upsert({ ...base, path, ino, nlink: 1, ...figures });
      live.set(path, figures);
    };
    for (let i = 0; i < 20_000; i++) put(`d${i % 37}/f${i}`, i + 1);
    let ino = 1e6;
    let building = true;
    const churn = (async () => {
      while (building) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (let k = 0; k < 20; k++) {
          const roll = random();
          const path = `d${Math.floor(random() * 37)}/f${Math.floor(random() * 25_000)}`;
          if (roll < 0.5) put(path, ino++);
          else if (index.remove(path)) live.delete(path);
        }
      }
    })();
    // A budget of 0: a pause at every step, so that changes land between all of them.
    await Promise.all([index.prepareOrder('mtime', new TimeSlices(0)), index.prepareOrder('size', new TimeSlices(0))]);
    building = false;
    await churn;
    const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const truth = (key: (f: { mtimeMs: number; size: number }) => number) =>
      [...live].sort((a, b) => key(a[1]) - key(b[1]) || byPath(a[0], b[0])).map(([path]) => path);
    expect([...index.ordered('mtime')].map((f) => f.path)).toEqual(truth((f) => f.mtimeMs));
    expect([...index.ordered('size')].map((f) => f.path)).toEqual(truth((f) => -f.size));
  });

  it('keeps the oldest and newest mtime right through adds, updates, cleanups of the oldest and subtree removal', () => {
    const random = seededRandom(11);
    const index = new FileIndex();
    const live = new Map<string, number>();
    const checked: Array<[unknown, unknown]> = [];
    const truth = () => (live.size === 0 ? null : { oldest: Math.min(...live.values()), newest: Math.max(...live.values()) });
    for (let step = 0; step < 3000; step++) {
      const roll = random();
      const name = `d${Math.floor(random() * 5)}/f${Math.floor(random() * 200)}`;
      if (roll < 0.6) {
        const mtimeMs = Math.floor(random() * 1e6);
        index.upsert({ ...base, path: name, ino: step + 1, size: 1, nlink: 1, mtimeMs });
        live.set(name, mtimeMs);
      } else if (roll < 0.9) {
        // A cleanup takes the oldest file.
        const oldest = [...live].sort((a, b) => a[1] - b[1])[0];
        if (oldest) {
          index.remove(oldest[0]);
          live.delete(oldest[0]);
        }
      } else if (roll < 0.98) {
        index.remove(name);
        live.delete(name);
      } else {
        const dir = `d${Math.floor(random() * 5)}`;
        index.removeSubtree(dir);
        for (const key of [...live.keys()]) if (key.startsWith(`${dir}/`)) live.delete(key);
      }
      if (step % 7 === 0) checked.push([index.mtimeRange(), truth()]);
    }
    checked.push([index.mtimeRange(), truth()]);
    expect(checked.filter(([got, want]) => JSON.stringify(got) !== JSON.stringify(want))).toEqual([]);
    expect(checked.length).toBeGreaterThan(400);
  });

  it('keeps the tally exact through updates, hard links and subtree removal', () => {
    const index = new FileIndex();
    const entry = { ...base, size: 100, nlink: 1 };
    index.upsert({ ...entry, path: 'a/x', ino: 1 });
    index.upsert({ ...entry, path: 'a/b/y', ino: 2, nlink: 2 });
    index.upsert({ ...entry, path: 'c/y-link', ino: 2, nlink: 2 });
    expect(index.tally()).toEqual({ files: 3, bytes: 200, diskBytes: 2 * 8 * 512 });
    index.upsert({ ...entry, path: 'c/y-link', ino: 2, nlink: 2, size: 150 }); // the inode grew
    expect(index.tally().bytes).toBe(250);
    expect(index.removeSubtree('a')).toBe(2);
    expect(index.tally()).toEqual({ files: 1, bytes: 150, diskBytes: 8 * 512 });
    index.remove('c/y-link');
    expect(index.tally()).toEqual({ files: 0, bytes: 0, diskBytes: 0 });
  });

  it('counts a file hard-linked after it was indexed once (its own entry still says nlink 1)', () => {
    const index = new FileIndex();
    index.upsert({ ...base, path: 'a', ino: 7, size: 10, nlink: 1 });
    index.upsert({ ...base, path: 'b', ino: 7, size: 10, nlink: 2 });
    expect(index.tally()).toMatchObject({ files: 2, bytes: 10 });
    index.remove('a');
    expect(index.tally()).toMatchObject({ files: 1, bytes: 10 });
  });

  it('returns entries with their paths and figures, and reports unchanged upserts', () => {
    const index = new FileIndex();
    const file: FileEntry = { ...base, path: 'd/e/f.mp4', ino: 3, size: 42, nlink: 1 };
    expect(index.upsert(file)).toBe(true);
    expect(index.upsert({ ...file })).toBe(false);
    expect(index.get('d/e/f.mp4')).toEqual(file);
    expect(index.toArray()).toEqual([file]);
    expect(index.hasDir('d')).toBe(true);
    expect(index.subdirectoriesOf('d')).toEqual(['d/e']);
    expect([...index.namesIn('d/e')!.keys()]).toEqual(['f.mp4']);
  });

  it('builds from a packed scan, empty directories included', () => {
    const packer = new ScanPacker(1);
    packer.add(0, 'top', { size: 5, blocks: 8, mtimeMs: 1, ctimeMs: 1, dev: 1, ino: 10, nlink: 1 });
    packer.add(2, 'inner', { size: 6, blocks: 8, mtimeMs: 1, ctimeMs: 1, dev: 1, ino: 11, nlink: 1 });
    const output: ScanOutput = {
      rootExists: true,
      rootDev: 1,
      rootIno: 2,
      dirs: ['', 'empty', 'x'],
      files: packer.pack(),
      directories: 3,
      errors: 0,
      durationMs: 0,
    };
    const index = FileIndex.fromScan(output);
    expect(index.tally()).toEqual({ files: 2, bytes: 11, diskBytes: 2 * 8 * 512 });
    expect(index.hasDir('empty')).toBe(true);
    expect(index.get('x/inner')).toMatchObject({ size: 6, ino: 11 });
  });

  it('matches a plain model over 20,000 seeded random operations (slots reused, columns grown)', () => {
    const random = seededRandom(11);
    const index = new FileIndex();
    const dirs = ['', 'a', 'a/b', 'c', 'c/d/e'];
    const paths = Array.from({ length: 3000 }, (_, i) => `${dirs[i % dirs.length] === '' ? '' : `${dirs[i % dirs.length]}/`}f${i}`);
    /** The model: path → inode, and each inode's latest figures. */
    const model = new Map<string, number>();
    const latest = new Map<number, { size: number; blocks: number }>();
    const expected = (): Tally => {
      const inodes = new Set(model.values());
      let bytes = 0;
      let diskBytes = 0;
      for (const ino of inodes) {
        bytes += latest.get(ino)!.size;
        diskBytes += latest.get(ino)!.blocks * 512;
      }
      return { bytes, diskBytes, files: model.size };
    };
    // Every 500th operation, the index's tally beside the model's, compared in one go at the end.
    const checkpoints: Array<{ op: number; tally: Tally }> = [];
    const modelCheckpoints: Array<{ op: number; tally: Tally }> = [];
    for (let op = 0; op < 20_000; op++) {
      const roll = random();
      const path = paths[Math.floor(random() * paths.length)]!;
      if (roll < 0.6) {
        const ino = 1 + Math.floor(random() * 2500);
        const figures = { size: Math.floor(random() * 10_000), blocks: Math.floor(random() * 20) };
        latest.set(ino, figures);
        model.set(path, ino);
        index.upsert({ ...base, path, ino, nlink: 1, ...figures });
      } else if (roll < 0.98) {
        model.delete(path);
        index.remove(path);
      } else {
        const dir = dirs[1 + Math.floor(random() * (dirs.length - 1))]!;
        for (const p of [...model.keys()]) if (p.startsWith(`${dir}/`)) model.delete(p);
        index.removeSubtree(dir);
      }
      if (op % 500 === 0) {
        checkpoints.push({ op, tally: index.tally() });
        modelCheckpoints.push({ op, tally: expected() });
      }
    }
    expect(checkpoints).toEqual(modelCheckpoints);
    expect(index.tally()).toEqual(expected());
    expect(index.toArray().map((e) => e.path).sort()).toEqual([...model.keys()].sort());
  });
});
