/**
 * The names of a file index's slots, as bytes in one packed buffer: slot s's name is `lengths[s]` bytes from
 * `starts[s]`. The bytes are the UTF-8 of the name's escape (src/common/file-name.ts), so a name reads back as
 * exactly the string it was written as, and names stay strings in that escape at the index's API. A name costs its
 * bytes (a camera segment's ~10–20) plus 6 bytes of offset and length, with no string or object per name.
 *
 * A released name leaves a hole. When holes outweigh the names in use, the arena is compacted into a new buffer
 * in steps (compactStep): a slot's name lives in the new buffer once moved, in the old one until then, told apart
 * by the top bit of its length (the generation it was written in), so reads, writes and releases go on between
 * steps and no step holds the thread longer than its share.
 */
export const MAX_NAME_BYTES = 0x7fff;
const GENERATION = 0x8000;
const LENGTH = 0x7fff;

/** Holes below this many bytes are never worth a compaction. */
const MIN_GARBAGE = 64 * 1024;

import { resized } from './typed-arrays.js';

/** Bound once: a global looked up in a hot loop is slow where the code runs in a VM context (specs). */
const imul = Math.imul;

const encoder = new TextEncoder();

export interface PackedNames {
  readonly nameStarts: Uint32Array;
  readonly nameLengths: Uint16Array;
  readonly nameBytes: Uint8Array;
  /** Bytes of nameBytes in use (holes included). */
  readonly nameEnd: number;
}

export class NameArena {
  starts: Uint32Array;
  lengths: Uint16Array;
  private bytes: Uint8Array;
  private text: Buffer;
  private end: number;
  /** Bytes of released names still in the buffers. */
  private garbage = 0;
  /** The generation bit current writes carry. */
  private generation = 0;
  /** During a compaction: the buffer being emptied, and the next slot to move. */
  private old: Uint8Array | null = null;
  private oldText: Buffer | null = null;
  private cursor = 0;
  /** Slots that hold a name (or did: a released one has length 0) — how far a compaction walks. */
  private slotsInUse = 0;
  /** A scratch buffer for the encoding of a name looked up. */
  private scratch = new Uint8Array(1024);

  constructor(
    capacity: number,
    byteCapacity = 64 * 1024,
    private readonly minGarbage = MIN_GARBAGE,
  ) {
    this.starts = new Uint32Array(capacity);
    this.lengths = new Uint16Array(capacity);
    this.bytes = new Uint8Array(byteCapacity);
    this.text = asBuffer(this.bytes);
    this.end = 0;
  }

  /** An arena over packed names (a scan's: no copy), `slots` of them in use. */
  static adopt(packed: PackedNames, slots: number, minGarbage = MIN_GARBAGE): NameArena {
    const arena = new NameArena(0, 0, minGarbage);
    arena.starts = packed.nameStarts;
    arena.lengths = packed.nameLengths;
    arena.bytes = packed.nameBytes;
    arena.text = asBuffer(arena.bytes);
    arena.end = packed.nameEnd;
    arena.slotsInUse = slots;
    return arena;
  }

  /** The packed form (for a transfer out of a worker thread). */
  pack(): PackedNames {
    return { nameStarts: this.starts, nameLengths: this.lengths, nameBytes: this.bytes, nameEnd: this.end };
  }

  /** Bytes of names in use (holes excluded). */
  get liveBytes(): number {
    return this.end - this.garbage + (this.old ? this.oldLive : 0);
  }

  /** What the arena holds, in bytes: per-slot offsets and lengths, the name buffers (capacity), the holes in them. */
  footprint(): { offsets: number; bytes: number; holes: number } {
    return {
      offsets: this.starts.byteLength + this.lengths.byteLength,
      bytes: this.bytes.byteLength + (this.old?.byteLength ?? 0),
      holes: this.garbage + (this.old ? this.oldGarbage : 0),
    };
  }

  get compacting(): boolean {
    return this.old !== null;
  }

  growSlots(capacity: number): void {
    this.starts = resized(this.starts, capacity, Uint32Array);
    this.lengths = resized(this.lengths, capacity, Uint16Array);
  }

  /** Writes `name` as slot's name (the slot holds none: new, or released). */
  write(slot: number, name: string): void {
    const length = this.encode(name);
    this.writeBytes(slot, this.scratch, 0, length);
  }

  writeBytes(slot: number, source: Uint8Array, from: number, length: number): void {
    if (length > MAX_NAME_BYTES) throw new Error(`a file name of ${length} bytes is longer than the index holds`);
    if (this.end + length > this.bytes.length) this.growBytes(this.end + length);
    this.bytes.set(source.subarray(from, from + length), this.end);
    this.starts[slot] = this.end;
    this.lengths[slot] = length | this.generation;
    this.end += length;
    if (slot >= this.slotsInUse) this.slotsInUse = slot + 1;
  }

  /**
   * Appends the names of `count` packed slots (a part of a scan, never compacted) as slots `at` … `at + count − 1`:
   * one copy of their bytes, offsets shifted.
   */
  appendPacked(packed: PackedNames, count: number, at: number): void {
    const base = this.end;
    if (base + packed.nameEnd > this.bytes.length) this.growBytes(base + packed.nameEnd);
    this.bytes.set(packed.nameBytes.subarray(0, packed.nameEnd), base);
    for (let i = 0; i < count; i++) {
      this.starts[at + i] = packed.nameStarts[i]! + base;
      this.lengths[at + i] = (packed.nameLengths[i]! & LENGTH) | this.generation;
    }
    this.end += packed.nameEnd;
    if (at + count > this.slotsInUse) this.slotsInUse = at + count;
  }

  /** Releases slot's name (its bytes become a hole). */
  release(slot: number): void {
    const length = this.lengths[slot]! & LENGTH;
    if (this.inOld(slot)) {
      this.oldGarbage += length;
      this.oldLive -= length;
    } else {
      this.garbage += length;
    }
    this.lengths[slot] = this.generation;
  }

  nameOf(slot: number): string {
    const length = this.lengths[slot]! & LENGTH;
    const start = this.starts[slot]!;
    return (this.inOld(slot) ? this.oldText! : this.text).toString('utf8', start, start + length);
  }

  /** Encodes `name` into the scratch buffer: its length in bytes (see matches, hashOfKey). */
  encode(name: string): number {
    const n = name.length;
    if (n * 3 > this.scratch.length) this.scratch = new Uint8Array(n * 3);
    // ASCII (most names) byte by byte: cheaper than a call into the encoder for a short string.
    const scratch = this.scratch;
    for (let i = 0; i < n; i++) {
      const code = name.charCodeAt(i);
      if (code >= 0x80) return encoder.encodeInto(name, scratch).written;
      scratch[i] = code;
    }
    return n;
  }

  /** Whether slot's name is the `length` bytes last encoded. */
  matchesEncoded(slot: number, length: number): boolean {
    if ((this.lengths[slot]! & LENGTH) !== length) return false;
    const bytes = this.inOld(slot) ? this.old! : this.bytes;
    const start = this.starts[slot]!;
    const key = this.scratch;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== key[i]) return false;
    return true;
  }

  /** Hash of (dir, the `length` bytes last encoded). */
  hashOfEncoded(dir: number, length: number): number {
    return hashBytes(dir, this.scratch, 0, length);
  }

  /** Hash of (dir, slot's name): equal to hashOfEncoded for the same name. */
  hashOf(dir: number, slot: number): number {
    return hashBytes(dir, this.inOld(slot) ? this.old! : this.bytes, this.starts[slot]!, this.lengths[slot]! & LENGTH);
  }

  /** The order of two slots' names as their strings compare (UTF-16 code units), read from the bytes. */
  compare(a: number, b: number): number {
    return compareUtf8AsUtf16(
      this.inOld(a) ? this.old! : this.bytes,
      this.starts[a]!,
      this.lengths[a]! & LENGTH,
      this.inOld(b) ? this.old! : this.bytes,
      this.starts[b]!,
      this.lengths[b]! & LENGTH,
    );
  }

  /** Whether holes outweigh the names in use (then compactStep is worth running). */
  wantsCompaction(): boolean {
    return !this.old && this.garbage >= this.minGarbage && this.garbage > this.end - this.garbage;
  }

  /**
   * Moves up to `slots` slots' names into a compacted buffer (starting a compaction if none runs). Returns true
   * when the compaction is over (the old buffer dropped).
   */
  compactStep(slots: number): boolean {
    if (!this.old) {
      const live = this.end - this.garbage;
      this.old = this.bytes;
      this.oldText = this.text;
      this.oldGarbage = this.garbage;
      this.oldLive = live;
      this.bytes = new Uint8Array(Math.max(4096, live + (live >> 3)));
      this.text = asBuffer(this.bytes);
      this.end = 0;
      this.garbage = 0;
      this.generation ^= GENERATION;
      this.cursor = 0;
    }
    const stop = Math.min(this.slotsInUse, this.cursor + slots);
    const old = this.old;
    for (let slot = this.cursor; slot < stop; slot++) {
      const raw = this.lengths[slot]!;
      if ((raw & GENERATION) === this.generation) continue; // written since the compaction began, or moved
      const length = raw & LENGTH;
      this.oldLive -= length;
      if (length === 0) {
        this.lengths[slot] = this.generation;
        continue;
      }
      const start = this.starts[slot]!;
      if (this.end + length > this.bytes.length) this.growBytes(this.end + length);
      this.bytes.set(old.subarray(start, start + length), this.end);
      this.starts[slot] = this.end;
      this.lengths[slot] = length | this.generation;
      this.end += length;
    }
    this.cursor = stop;
    if (stop < this.slotsInUse) return false;
    this.old = null;
    this.oldText = null;
    this.oldGarbage = 0;
    this.oldLive = 0;
    return true;
  }

  private oldGarbage = 0;
  private oldLive = 0;

  private inOld(slot: number): boolean {
    return this.old !== null && (this.lengths[slot]! & GENERATION) !== this.generation;
  }

  private growBytes(needed: number): void {
    this.bytes = resized(this.bytes, Math.max(needed, this.bytes.length * 2, 4096), Uint8Array);
    this.text = asBuffer(this.bytes);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** FNV-1a over the bytes, seeded with the directory id, then a final mix (murmur3's): well spread over the low bits. */
export function hashBytes(seed: number, bytes: Uint8Array, start: number, length: number): number {
  let h = (0x811c9dc5 ^ imul(seed, 0x9e3779b1)) | 0;
  for (let i = start, end = start + length; i < end; i++) h = imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The order of two UTF-8 strings as JavaScript compares them (UTF-16 code units), without decoding. Byte order is
 * code-point order, which is UTF-16 order except between a character of U+E000–U+FFFF (lead byte EE or EF) and one
 * above U+FFFF (lead byte F0–F4, a surrogate pair in UTF-16, D800–DBFF first): there the order is reversed. The first
 * differing byte is in the first differing character (UTF-8 is self-synchronising), so its lead bytes tell.
 */
export function compareUtf8AsUtf16(a: Uint8Array, aStart: number, aLength: number, b: Uint8Array, bStart: number, bLength: number): number {
  const n = Math.min(aLength, bLength);
  for (let i = 0; i < n; i++) {
    const x = a[aStart + i]!;
    const y = b[bStart + i]!;
    if (x === y) continue;
    if (x >= 0xf0 && (y === 0xee || y === 0xef)) return -1;
    if (y >= 0xf0 && (x === 0xee || x === 0xef)) return 1;
    return x < y ? -1 : 1;
  }
  return aLength - bLength;
}
