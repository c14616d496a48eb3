import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.mjs';
import type { FileEntry } from './file-entry.js';
import { FileIndex } from './file-index.js';
import { deletionOrder, ORDER_KEYS, type OrderKey } from './file-view.js';
import { BLOCK, OrderedSlots } from './ordered-slots.js';
import { sortByKey } from './radix-sort.js';

/** Keys and names in plain arrays, as a SlotOrder reads them. */
function columns(block = BLOCK): { keys: number[]; names: string[]; order: OrderedSlots } {
  const keys: number[] = [];
  const names: string[] = [];
  const order = new OrderedSlots(
    {
      key: (slot) => keys[slot]!,
      tie: (a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0),
    },
    block,
  );
  return { keys, names, order };
}

function fullSort(live: Set<number>, keys: number[], names: string[]): number[] {
  return [...live].sort((a, b) => keys[a]! - keys[b]! || (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
}

describe('OrderedSlots', () => {
  it.each([
    [3, 8],
    [17, 16],
    [5000, 64],
    [9, BLOCK],
  ])('equals a full sort through random inserts, removals and updates (seed %i, blocks of %i)', (seed, block) => {
    const random = seededRandom(seed);
    const { keys, names, order } = columns(block);
    const live = new Set<number>();
    const steps = 6 * BLOCK;
    const checked: Array<[unknown, unknown]> = [];
    for (let step = 0; step < steps; step++) {
      const roll = random();
      const slot = Math.floor(random() * 3 * BLOCK);
      // Few distinct keys (ties are common, so the path decides often), any key (inserts mid-block, splits), or
      // the newest (appends).
      const mix = random();
      const key = mix < 0.3 ? Math.floor(random() * 20) : mix < 0.7 ? Math.floor(random() * steps) : step;
      if (roll < 0.55 && !live.has(slot)) {
        keys[slot] = key;
        names[slot] = `n${Math.floor(random() * 1e6)}-${slot}`;
        order.insert(slot);
        live.add(slot);
      } else if (roll < 0.8 && live.has(slot)) {
        // An update: removed with its old figures, inserted with the new.
        order.remove(slot);
        keys[slot] = key;
        order.insert(slot);
      } else if (live.has(slot)) {
        checked.push([order.remove(slot), true]);
        live.delete(slot);
      } else if (live.size > 0 && roll > 0.9) {
        // A cleanup of the first in order.
        const first = order.first();
        checked.push([order.remove(first), true]);
        live.delete(first);
      }
      if (step % 97 === 0 || step === steps - 1) {
        const expected = fullSort(live, keys, names);
        checked.push([[...order.slots()], expected], [[...order.slots(true)], [...expected].reverse()], [order.size, live.size]);
      }
    }
    expect(checked.map(([actual]) => actual)).toEqual(checked.map(([, expected]) => expected));
  });

  it('builds from unsorted slots the order a full sort gives', () => {
    const random = seededRandom(5);
    const keys: number[] = [];
    const names: string[] = [];
    const slots = new Int32Array(5 * BLOCK + 7); // above the radix sort's threshold
    for (let i = 0; i < slots.length; i++) {
      keys[i] = Math.floor(random() * 50);
      names[i] = `f${Math.floor(random() * 1e6)}`;
      slots[i] = i;
    }
    const order = OrderedSlots.build({ key: (s) => keys[s]!, tie: (a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0) }, slots, 16);
    expect([...order.slots()]).toEqual(fullSort(new Set(slots), keys, names));
    // Kept after a build too.
    for (let i = 0; i < slots.length; i += 3) order.remove(i);
    for (let i = 0; i < slots.length; i += 6) {
      keys[i] = Math.floor(random() * 50);
      order.insert(i);
    }
    const live = new Set([...slots].filter((i) => i % 3 !== 0 || i % 6 === 0));
    expect([...order.slots()]).toEqual(fullSort(live, keys, names));
  });

  it('keeps newest-last arrivals and oldest-first removals cheap: whole blocks, no splits', () => {
    const { keys, names, order } = columns();
    for (let slot = 0; slot < 3 * BLOCK; slot++) {
      keys[slot] = slot;
      names[slot] = 'x';
      order.insert(slot);
    }
    for (let slot = 0; slot < BLOCK + 1; slot++) expect(order.remove(slot)).toBe(true);
    expect(order.first()).toBe(BLOCK + 1);
    expect(order.last()).toBe(3 * BLOCK - 1);
    expect([...order.slots()]).toHaveLength(2 * BLOCK - 1);
  });

  it('answers false for a slot it does not hold', () => {
    const { keys, names, order } = columns();
    expect(order.remove(1)).toBe(false);
    keys[1] = 1;
    names[1] = 'a';
    order.insert(1);
    keys[2] = 1;
    names[2] = 'b';
    expect(order.remove(2)).toBe(false);
    expect([...order.slots()]).toEqual([1]);
  });
});

const entry = (path: string, figures: Partial<FileEntry> = {}): FileEntry => ({
  path,
  size: 100,
  blocks: 1,
  mtimeMs: 1000,
  ctimeMs: 1000,
  dev: 1,
  ino: Number.parseInt(path.replace(/\D/g, '') || '0', 10) + 1,
  nlink: 1,
  ...figures,
});

const paths = (files: Iterable<FileEntry>): string[] => [...files].map((f) => f.path);

describe('FileIndex as an ordered view', () => {
  it.each([1, 2, 3])('reads every key in the order of a full sort through random changes (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const index = new FileIndex();
    const live = new Map<string, FileEntry>();
    let ino = 0;
    const check = (key: OrderKey): void => {
      const expected = [...live.values()].sort(deletionOrder(key));
      expect([...index.ordered(key)]).toEqual(expected);
      expect(paths(index.ordered(key, true))).toEqual(paths(expected).reverse());
    };
    for (let step = 0; step < 4000; step++) {
      // Orders are read early, so that later changes are kept incrementally, and one key only late.
      if (step === 10) index.ordered('mtime')[Symbol.iterator]().next();
      if (step === 20) index.ordered('size')[Symbol.iterator]().next();
      if (step === 2500) index.ordered('ctime')[Symbol.iterator]().next();
      const roll = random();
      const path = `d${Math.floor(random() * 6)}/${random() < 0.3 ? 'sub/' : ''}f${Math.floor(random() * 300)}`;
      if (roll < 0.55) {
        // Coarse figures: ties on every key.
        const figures = { size: 10 * Math.floor(random() * 5), mtimeMs: Math.floor(random() * 30), ctimeMs: Math.floor(random() * 30) };
        const linkTo = random() < 0.05 ? [...live.values()][Math.floor(random() * live.size)] : undefined;
        const next = linkTo ? { ...linkTo, path } : entry(path, { ...figures, ino: ++ino });
        index.upsert(next);
        live.set(path, next);
      } else if (roll < 0.85) {
        const first = index.ordered('mtime')[Symbol.iterator]().next();
        if (!first.done) {
          index.remove(first.value.path);
          live.delete(first.value.path);
        }
      } else if (roll < 0.97) {
        index.remove(path);
        live.delete(path);
      } else {
        const dir = `d${Math.floor(random() * 6)}`;
        index.removeSubtree(dir);
        for (const key of [...live.keys()]) if (key.startsWith(`${dir}/`)) live.delete(key);
      }
      if (step % 250 === 0) for (const key of ORDER_KEYS) check(key);
    }
    for (const key of ORDER_KEYS) check(key);
    expect(index.mtimeRange()).toEqual(
      live.size === 0 ? null : { oldest: Math.min(...[...live.values()].map((f) => f.mtimeMs)), newest: Math.max(...[...live.values()].map((f) => f.mtimeMs)) },
    );
  });

  it('breaks ties by the whole path in code-unit order, across directories and the root', () => {
    const index = new FileIndex();
    // '-' (0x2d) < '/' (0x2f) < 'B' (0x42) < 'a' (0x61): directory names alone would order 'a' before 'a/b'.
    for (const path of ['a/z', 'a/b/c', 'a-c/x', 'B', 'a', 'a/b/a', 'b']) index.upsert(entry(path, { mtimeMs: 5, ctimeMs: 5, size: 7 }));
    const expected = ['B', 'a', 'a-c/x', 'a/b/a', 'a/b/c', 'a/z', 'b'];
    for (const key of ORDER_KEYS) {
      expect(paths(index.ordered(key))).toEqual(expected);
      expect(paths(index.ordered(key, true))).toEqual([...expected].reverse());
    }
  });

  it('orders size largest first, then by path; mtime and ctime oldest first, then by path', () => {
    const index = new FileIndex();
    index.upsert(entry('m', { size: 5, mtimeMs: 3, ctimeMs: 1 }));
    index.upsert(entry('k', { size: 9, mtimeMs: 1, ctimeMs: 3 }));
    index.upsert(entry('z', { size: 9, mtimeMs: 2, ctimeMs: 2 }));
    index.upsert(entry('a', { size: 5, mtimeMs: 2, ctimeMs: 2 }));
    expect(paths(index.ordered('size'))).toEqual(['k', 'z', 'a', 'm']);
    expect(paths(index.ordered('mtime'))).toEqual(['k', 'a', 'z', 'm']);
    expect(paths(index.ordered('ctime'))).toEqual(['m', 'a', 'z', 'k']);
  });

  it('refuses an ordered read that the index changed under', () => {
    const index = new FileIndex();
    for (const path of ['a', 'b', 'c']) index.upsert(entry(path));
    const reading = index.ordered('mtime')[Symbol.iterator]();
    reading.next();
    index.remove('c');
    expect(() => reading.next()).toThrow('changed during an ordered read');
  });

  it('gives every indexed link of an inode', () => {
    const index = new FileIndex();
    index.upsert(entry('a', { ino: 7, nlink: 2 }));
    index.upsert(entry('x/b', { ino: 7, nlink: 2 }));
    index.upsert(entry('c', { ino: 8 }));
    expect(paths(index.linksOf(index.get('a')!)).sort()).toEqual(['a', 'x/b']);
    expect(paths(index.linksOf(index.get('c')!))).toEqual(['c']);
    expect(index.has('x/b')).toBe(true);
    expect(index.has('x/c')).toBe(false);
  });
});

describe('sortByKey', () => {
  it.each([100, 10_000])('orders %i keys as a comparison sort does, negatives, zeros, fractions and big numbers alike', (n) => {
    const random = seededRandom(n);
    const pool = [0, -0, 1, -1, 0.5, -0.25, 1.7e12 + 0.123, 1.7e12, -(2 ** 52), 2 ** 53, 86_400_000.5];
    const keys = Float64Array.from({ length: n }, () => (random() < 0.5 ? pool[Math.floor(random() * pool.length)]! : (random() - 0.5) * 1e13));
    // -0 and 0 are equal keys: either order is right.
    const plain = (x: number): number => (x === 0 ? 0 : x);
    const sorted = [...sortByKey(keys)].map((p) => plain(keys[p]!));
    expect(sorted).toEqual([...keys].sort((a, b) => a - b).map(plain));
  });
});
