import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.mjs';
import type { FileEntry } from './file-entry.js';
import { TimeSlices } from '../common/time-slices.js';
import { nameFromBytes } from '../common/file-name.js';
import { FileIndex, type Tally } from './file-index.js';
import { ScanPacker, type ScanOutput } from './scan-output.js';

const base = { blocks: 8, mtimeMs: 1, ctimeMs: 1, dev: 1 };

describe('FileIndex', () => {
  it('lets a second caller of prepareOrder wait for the build under way, so the order is there once it resolves', async () => {
    const index = new FileIndex();
    for (let i = 0; i < 20_000; i++) index.upsert({ ...base, path: `d/f${i}`, ino: i + 1, nlink: 1, mtimeMs: (i * 7919) % 20_000, size: 1 });
    const first = index.prepareOrder('mtime', new TimeSlices(0));
    await index.prepareOrder('mtime', new TimeSlices(0));
    // Built and kept: reading it now costs no build at once (a 10M-file order is seconds of the event loop).
    expect(index.footprint().orders).toBeGreaterThan(0);
    await first;
    expect([...index.ordered('mtime')].slice(0, 3).map((f) => f.mtimeMs)).toEqual([0, 1, 2]);
  });

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
  it('counts a file hard-linked from three directories once, moves its figures with the last link, and lists every link', () => {
    const index = new FileIndex();
    const link = { ...base, size: 300, blocks: 8, ino: 42, nlink: 3 };
    index.upsert({ ...base, path: 'cam/a.mp4', ino: 1, size: 10, nlink: 1 });
    index.upsert({ ...link, path: 'cam/2026/keep.mp4' });
    index.upsert({ ...link, path: 'backup/keep.mp4' });
    index.upsert({ ...link, path: 'keep.mp4' });
    expect(index.tally()).toEqual({ files: 4, bytes: 310, diskBytes: 2 * 8 * 512 });
    expect(index.linksOf(index.get('keep.mp4')!).map((e) => e.path).sort()).toEqual(['backup/keep.mp4', 'cam/2026/keep.mp4', 'keep.mp4']);
    // The inode grows, seen through one of its paths.
    index.upsert({ ...link, path: 'backup/keep.mp4', size: 500, blocks: 16 });
    expect(index.tally()).toEqual({ files: 4, bytes: 510, diskBytes: (8 + 16) * 512 });
    expect(index.removeSubtree('cam')).toBe(2);
    expect(index.takeStaleLinks().sort()).toEqual(['backup/keep.mp4', 'keep.mp4']);
    index.remove('keep.mp4');
    // One path left: it carries the inode's latest figures, and removing it uncounts them.
    expect(index.linksOf(index.get('backup/keep.mp4')!)).toHaveLength(1);
    expect(index.tally()).toEqual({ files: 1, bytes: 500, diskBytes: 16 * 512 });
    index.remove('backup/keep.mp4');
    expect(index.tally()).toEqual({ files: 0, bytes: 0, diskBytes: 0 });
  });

  it("reuses the slots of removed files: a camera's churn through 8,000 files keeps the capacity of the 2,000 it holds", () => {
    const index = new FileIndex();
    for (let i = 0; i < 2000; i++) index.upsert({ ...base, path: `d${i % 10}/s${i}`, ino: i + 1, size: 1, nlink: 1, mtimeMs: i });
    const slots = index.footprint().slots;
    for (let i = 2000; i < 8000; i++) {
      index.remove(`d${(i - 2000) % 10}/s${i - 2000}`);
      index.upsert({ ...base, path: `d${i % 10}/s${i}`, ino: i + 1, size: 1, nlink: 1, mtimeMs: i });
    }
    expect(index.footprint().slots).toBe(slots);
    expect(index.size).toBe(2000);
    expect([...index.ordered('mtime')].map((e) => e.path).slice(0, 2)).toEqual(['d0/s6000', 'd1/s6001']);
    expect([...index.namesIn('d3')!.keys()]).toHaveLength(200);
    expect(index.get('d0/s0')).toBeUndefined();
  });

  it('lists every file of every directory once directories outgrow their first tables (300 of them)', () => {
    const index = new FileIndex();
    for (let d = 0; d < 300; d++) for (let f = 0; f < 3; f++) index.upsert({ ...base, path: `cam${d}/seg${f}`, ino: d * 3 + f + 1, size: 1, nlink: 1 });
    expect(index.toArray()).toHaveLength(900);
    expect(Array.from({ length: 300 }, (_, d) => index.namesIn(`cam${d}`)!.size).filter((n) => n !== 3)).toEqual([]);
    expect(index.removeSubtree('cam7')).toBe(3);
    expect([...index.namesIn('cam299')!.keys()]).toEqual(['seg0', 'seg1', 'seg2']);
  });

  it('keeps names with every byte the escape writes, and orders ties by path exactly as plain string order does', () => {
    const index = new FileIndex();
    const names: string[] = [];
    for (let byte = 1; byte < 256; byte++) if (byte !== 0x2f) names.push(nameFromBytes(Uint8Array.from([0x66, byte])));
    names.push('\\\\', 'caf\\xe9', '\\xef\\xbf\\xbd', '\u{1f600}', '\ue000', 'a b', '.hidden', '..x');
    // Directories that are prefixes of each other and of names, so ties compare across directories too.
    const dirs = ['', 'a', 'a/b', 'a-b', 'a\\x80', 'a\u{1f600}', 'a\ue000'];
    const paths: string[] = [];
    names.forEach((name, i) => {
      const dir = dirs[i % dirs.length]!;
      const path = dir === '' ? name : `${dir}/${name}`;
      paths.push(path);
      index.upsert({ ...base, path, ino: i + 1, size: 7, nlink: 1 });
    });
    expect(paths.filter((path) => index.get(path)?.path !== path)).toEqual([]);
    const plain = [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Every file has the same size and mtime: both orders are the order of paths.
    expect([...index.ordered('size')].map((e) => e.path)).toEqual(plain);
    expect([...index.ordered('mtime', true)].map((e) => e.path)).toEqual([...plain].reverse());
    expect([...index.namesIn('a\\x80')!.keys()].every((name) => names.includes(name))).toBe(true);
  });

  it('compacts its names in slices after most files leave, and reads and changes right through the compaction', async () => {
    const index = new FileIndex();
    const live = new Set<string>();
    for (let i = 0; i < 6000; i++) {
      const path = `day${i % 30}/segment-${String(i).padStart(8, '0')}.mp4`;
      index.upsert({ ...base, path, ino: i + 1, size: 1, nlink: 1, mtimeMs: i });
      live.add(path);
    }
    const before = index.footprint();
    const ordered = [...index.ordered('mtime')].map((e) => e.path);
    for (const path of ordered.slice(0, 5400)) {
      index.remove(path);
      live.delete(path);
    }
    const compaction = index.compactionUnderWay();
    expect(compaction).toBeDefined();
    // Changes while it runs (it yields to the event loop between slices).
    for (let i = 6000; i < 6300; i++) {
      const path = `late/x${i}`;
      index.upsert({ ...base, path, ino: i + 1, size: 1, nlink: 1, mtimeMs: i });
      live.add(path);
    }
    await compaction;
    const after = index.footprint();
    expect(after.nameBytes).toBeLessThan(before.nameBytes / 4);
    expect(after.nameHoles).toBe(0);
    expect([...index.entries()].map((e) => e.path).sort()).toEqual([...live].sort());
    expect([...live].filter((path) => !index.has(path))).toEqual([]);
    expect([...index.ordered('mtime')].map((e) => e.path)).toEqual([...ordered.slice(5400), ...[...live].filter((p) => p.startsWith('late/'))]);
  });
});
