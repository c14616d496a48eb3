import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.mjs';
import { FileColumns } from './file-columns.js';
import { NameArena } from './name-arena.js';
import { hashInode, InodeTable, NameTable } from './slot-table.js';

/** Inode numbers whose hashes share their low `bits` bits: they all probe from the same bucket of a small table. */
function colliding(count: number, bits = 6): number[] {
  const found: number[] = [];
  const home = hashInode(1) & ((1 << bits) - 1);
  for (let ino = 1; found.length < count; ino++) if ((hashInode(ino) & ((1 << bits) - 1)) === home) found.push(ino);
  return found;
}

describe('InodeTable', () => {
  it('finds every inode of one probe run after deletions from its middle (entries shift back, none is lost)', () => {
    const columns = new FileColumns(64);
    const table = new InodeTable(columns);
    const inos = colliding(12);
    inos.forEach((ino, slot) => {
      columns.inos[slot] = ino;
      table.set(slot);
    });
    // Take out every third entry of the run: the ones after each hole must move up to stay reachable.
    for (let slot = 0; slot < inos.length; slot += 3) table.delete(slot);
    const found = inos.map((ino) => table.find(ino));
    expect(found).toEqual(inos.map((_, slot) => (slot % 3 === 0 ? -1 : slot)));
    expect(table.size).toBe(8);
  });

  it('matches a map over 60,000 seeded inserts, replacements and deletions while it grows from 64 buckets', () => {
    const random = seededRandom(5);
    const capacity = 40_000;
    const columns = new FileColumns(capacity);
    const table = new InodeTable(columns);
    const model = new Map<number, number>();
    const slotOfIno = new Map<number, number>();
    let nextSlot = 0;
    const mismatches: string[] = [];
    for (let op = 0; op < 60_000; op++) {
      // Inode numbers past 2^32 too: both halves of the number go into the hash.
      const ino = random() < 0.2 ? 2 ** 40 + Math.floor(random() * 5000) : 1 + Math.floor(random() * 20_000);
      if (random() < 0.65 && nextSlot < capacity) {
        const slot = nextSlot++;
        columns.inos[slot] = ino;
        table.set(slot); // replaces the slot an inode had
        model.set(ino, slot);
        slotOfIno.set(ino, slot);
      } else if (model.has(ino)) {
        table.delete(model.get(ino)!);
        model.delete(ino);
      }
      if (op % 1000 === 0) {
        for (const [known, slot] of model) if (table.find(known) !== slot) mismatches.push(`op ${op}: ${known}`);
        for (const gone of slotOfIno.keys()) if (!model.has(gone) && table.find(gone) !== -1) mismatches.push(`op ${op}: ${gone} still found`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(table.size).toBe(model.size);
    // Grown: never more than 60 % full.
    expect(table.byteLength / 4).toBeGreaterThanOrEqual(model.size / 0.6);
  });
});

describe('NameTable', () => {
  it('tells the same name in two directories apart, and finds names after the table grew and shrank its runs', () => {
    const capacity = 5000;
    const columns = new FileColumns(capacity);
    const names = new NameArena(capacity);
    const table = new NameTable(columns, names);
    const put = (slot: number, dir: number, name: string): void => {
      columns.dirs[slot] = dir;
      names.write(slot, name);
      table.insert(slot);
    };
    for (let i = 0; i < 2000; i++) {
      put(2 * i, 0, `f${i}`);
      put(2 * i + 1, 7, `f${i}`);
    }
    for (let i = 0; i < 2000; i += 2) table.delete(2 * i + 1); // every other one of directory 7
    const wrong: string[] = [];
    for (let i = 0; i < 2000; i++) {
      if (table.find(0, `f${i}`) !== 2 * i) wrong.push(`0/f${i}`);
      if (table.find(7, `f${i}`) !== (i % 2 === 0 ? -1 : 2 * i + 1)) wrong.push(`7/f${i}`);
    }
    expect(wrong).toEqual([]);
    expect(table.find(1, 'f1')).toBe(-1);
    expect(table.size).toBe(3000);
  });
});
