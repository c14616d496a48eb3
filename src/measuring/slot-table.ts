import type { FileColumns } from './file-columns.js';
import type { NameArena } from './name-arena.js';

/** Bound once: a global looked up in a hot loop is slow where the code runs in a VM context (specs). */
const imul = Math.imul;

const EMPTY = -1;
/** Grown when more than this share of the buckets is in use (so 25–60 % full: short probes, 8 B per file at 1M). */
const MAX_LOAD = 0.6;
const MIN_BUCKETS = 64;

/**
 * An open-addressing hash table of slot numbers (Int32Array, linear probing): the key of a slot is read from the
 * index's columns, so a bucket is 4 bytes and there is no entry object. Deletion shifts the following entries of the
 * probe run back (backward-shift deletion) instead of leaving tombstones, so lookups never slow down with churn.
 */
abstract class SlotTable {
  protected buckets: Int32Array;
  protected mask: number;
  private count = 0;

  constructor(expected = 0) {
    const size = bucketsFor(expected);
    this.buckets = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
  }

  /** The hash of the key a slot holds now. */
  protected abstract hashOfSlot(slot: number): number;

  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.buckets.byteLength;
  }

  /** Adds a slot whose key (hash `hash`) is not in the table. */
  protected add(slot: number, hash: number): void {
    if (this.count + 1 > this.buckets.length * MAX_LOAD) this.rehash(this.buckets.length * 2);
    let i = hash & this.mask;
    while (this.buckets[i] !== EMPTY) i = (i + 1) & this.mask;
    this.buckets[i] = slot;
    this.count++;
  }

  /** Replaces the slot at bucket `i` (same key). */
  protected replaceAt(i: number, slot: number): void {
    this.buckets[i] = slot;
  }

  /** Takes out the slot at bucket `i`, shifting back the entries after it that may move. */
  protected deleteAt(i: number): void {
    const buckets = this.buckets;
    const mask = this.mask;
    let hole = i;
    for (let j = (i + 1) & mask; buckets[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.hashOfSlot(buckets[j]!) & mask;
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      buckets[hole] = buckets[j]!;
      hole = j;
    }
    buckets[hole] = EMPTY;
    this.count--;
  }

  /** Bucket of `slot`, probing from `hash` (-1 when absent). */
  protected bucketOf(slot: number, hash: number): number {
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.buckets[i]!;
      if (at === slot) return i;
      if (at === EMPTY) return -1;
    }
  }

  private rehash(size: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let k = 0; k < old.length; k++) {
      const slot = old[k]!;
      if (slot === EMPTY) continue;
      let i = this.hashOfSlot(slot) & this.mask;
      while (this.buckets[i] !== EMPTY) i = (i + 1) & this.mask;
      this.buckets[i] = slot;
    }
  }
}

function bucketsFor(entries: number): number {
  let size = MIN_BUCKETS;
  while (entries > size * MAX_LOAD) size *= 2;
  return size;
}

/** (directory id, name) → slot: the one lookup of a path, over the name bytes of the arena. */
export class NameTable extends SlotTable {
  constructor(
    private readonly columns: FileColumns,
    private readonly names: NameArena,
    expected = 0,
  ) {
    super(expected);
  }

  protected hashOfSlot(slot: number): number {
    return this.names.hashOf(this.columns.dirs[slot]!, slot);
  }

  /** The slot of `name` in directory `dir`, or -1. */
  find(dir: number, name: string): number {
    const length = this.names.encode(name);
    const hash = this.names.hashOfEncoded(dir, length);
    return this.findEncoded(dir, length, hash);
  }

  /** Adds a slot whose (directory, name) is written in the columns and the arena and not yet in the table. */
  insert(slot: number): void {
    this.add(slot, this.hashOfSlot(slot));
  }

  /** The slot already holding slot's (directory, name), or -1. */
  findSame(slot: number): number {
    const dir = this.columns.dirs[slot]!;
    const hash = this.hashOfSlot(slot);
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.buckets[i]!;
      if (at === EMPTY) return -1;
      if (this.columns.dirs[at] === dir && this.names.compare(at, slot) === 0) return at;
    }
  }

  /** Takes a slot out (its directory and name still written). */
  delete(slot: number): void {
    const i = this.bucketOf(slot, this.hashOfSlot(slot));
    if (i >= 0) this.deleteAt(i);
  }

  private findEncoded(dir: number, length: number, hash: number): number {
    const { buckets, mask, columns, names } = this;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const at = buckets[i]!;
      if (at === EMPTY) return -1;
      if (columns.dirs[at] === dir && names.matchesEncoded(at, length)) return at;
    }
  }
}

/** Inode number → one slot that holds it (hard links: see FileIndex). */
export class InodeTable extends SlotTable {
  constructor(
    private readonly columns: FileColumns,
    expected = 0,
  ) {
    super(expected);
  }

  protected hashOfSlot(slot: number): number {
    return hashInode(this.columns.inos[slot]!);
  }

  /** A slot holding inode `ino`, or -1. */
  find(ino: number): number {
    const { buckets, mask } = this;
    const inos = this.columns.inos;
    for (let i = hashInode(ino) & mask; ; i = (i + 1) & mask) {
      const at = buckets[i]!;
      if (at === EMPTY) return -1;
      if (inos[at] === ino) return at;
    }
  }

  /** Makes `slot` the one slot of its inode (whose number is written in the columns). */
  set(slot: number): void {
    const ino = this.columns.inos[slot]!;
    const { buckets, mask } = this;
    const inos = this.columns.inos;
    for (let i = hashInode(ino) & mask; ; i = (i + 1) & mask) {
      const at = buckets[i]!;
      if (at === EMPTY) break;
      if (inos[at] === ino) {
        this.replaceAt(i, slot);
        return;
      }
    }
    this.add(slot, hashInode(ino));
  }

  /** Takes out inode `ino` (held by `slot`, whose inode number is still written). */
  delete(slot: number): void {
    const i = this.bucketOf(slot, this.hashOfSlot(slot));
    if (i >= 0) this.deleteAt(i);
  }
}

/** A 32-bit hash of an inode number (an integer up to 2^53), both halves mixed. */
export function hashInode(ino: number): number {
  const low = ino >>> 0;
  const high = (ino / 4294967296) >>> 0;
  let h = imul(low ^ imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
