import type { FileEntry } from './file-entry.js';
import { release, resized } from './typed-arrays.js';

/**
 * The figures of a file index's slots, one typed-array column per field, so a file costs 50 bytes of figures and
 * no object. Widths, each exact for what it holds:
 * - size, blocks, mtimeMs, ctimeMs, ino: Float64 (8 B). Node hands them out as doubles: sizes and block counts pass
 *   2^32 on big files, times carry sub-millisecond fractions that orders and ties compare exactly, inode numbers
 *   use all 53 bits on some filesystems. A narrower type would round one of them.
 * - nlink: Uint32 (4 B): st_nlink is 32 bits on Linux' filesystems (ext4 and btrfs stop at 65,000 and 65,535, XFS
 *   at 2^32 − 1).
 * - dev: Uint16 (2 B), an index into `devices`: a target is one filesystem (the scanner does not cross mounts),
 *   so the table holds one or a few device numbers.
 * - dir: Int32 (4 B), the slot's directory id (DirectoryTable); -1 marks a free slot.
 */
export interface PackedColumns {
  readonly sizes: Float64Array;
  readonly blocks: Float64Array;
  readonly mtimes: Float64Array;
  readonly ctimes: Float64Array;
  readonly inos: Float64Array;
  readonly nlinks: Uint32Array;
  readonly devs: Uint16Array;
  readonly devices: readonly number[];
  readonly dirs: Int32Array;
}

const MAX_DEVICES = 0xffff;

export class FileColumns {
  capacity: number;
  sizes: Float64Array;
  blocks: Float64Array;
  mtimes: Float64Array;
  ctimes: Float64Array;
  inos: Float64Array;
  nlinks: Uint32Array;
  devs: Uint16Array;
  dirs: Int32Array;
  private readonly devices: number[] = [];
  private readonly deviceIds = new Map<number, number>();

  constructor(capacity: number) {
    this.capacity = capacity;
    this.sizes = new Float64Array(capacity);
    this.blocks = new Float64Array(capacity);
    this.mtimes = new Float64Array(capacity);
    this.ctimes = new Float64Array(capacity);
    this.inos = new Float64Array(capacity);
    this.nlinks = new Uint32Array(capacity);
    this.devs = new Uint16Array(capacity);
    this.dirs = new Int32Array(capacity).fill(-1);
  }

  /** Columns over packed ones (a scan's: no copy). */
  static adopt(packed: PackedColumns): FileColumns {
    const columns = new FileColumns(0);
    columns.capacity = packed.sizes.length;
    columns.sizes = packed.sizes;
    columns.blocks = packed.blocks;
    columns.mtimes = packed.mtimes;
    columns.ctimes = packed.ctimes;
    columns.inos = packed.inos;
    columns.nlinks = packed.nlinks;
    columns.devs = packed.devs;
    columns.dirs = packed.dirs;
    for (const dev of packed.devices) columns.deviceId(dev);
    return columns;
  }

  pack(): PackedColumns {
    const { sizes, blocks, mtimes, ctimes, inos, nlinks, devs, devices, dirs } = this;
    return { sizes, blocks, mtimes, ctimes, inos, nlinks, devs, devices, dirs };
  }

  /** Every buffer of the columns (to transfer them to another thread). */
  buffers(): ArrayBuffer[] {
    return [this.sizes, this.blocks, this.mtimes, this.ctimes, this.inos, this.nlinks, this.devs, this.dirs].map((c) => c.buffer as ArrayBuffer);
  }

  /** Bytes the columns hold (their capacity). */
  get byteLength(): number {
    return this.capacity * BYTES_PER_SLOT;
  }

  dev(slot: number): number {
    return this.devices[this.devs[slot]!]!;
  }

  /** A slot's figures as an entry at `path` (made on demand: the columns hold no object). */
  entry(slot: number, path: string): FileEntry {
    return {
      path,
      size: this.sizes[slot]!,
      blocks: this.blocks[slot]!,
      mtimeMs: this.mtimes[slot]!,
      ctimeMs: this.ctimes[slot]!,
      dev: this.dev(slot),
      ino: this.inos[slot]!,
      nlink: this.nlinks[slot]!,
    };
  }

  write(slot: number, size: number, blocks: number, mtimeMs: number, ctimeMs: number, dev: number, ino: number, nlink: number): void {
    this.sizes[slot] = size;
    this.blocks[slot] = blocks;
    this.mtimes[slot] = mtimeMs;
    this.ctimes[slot] = ctimeMs;
    this.devs[slot] = this.deviceId(dev);
    this.inos[slot] = ino;
    this.nlinks[slot] = nlink;
  }

  same(slot: number, size: number, blocks: number, mtimeMs: number, ctimeMs: number, dev: number, ino: number, nlink: number): boolean {
    return (
      this.sizes[slot] === size &&
      this.blocks[slot] === blocks &&
      this.mtimes[slot] === mtimeMs &&
      this.ctimes[slot] === ctimeMs &&
      this.inos[slot] === ino &&
      this.dev(slot) === dev &&
      this.nlinks[slot] === nlink
    );
  }

  /** Copies `count` slots of `from` (from slot 0) to slot `at`, directory ids shifted by `dirOffset` and devices mapped. */
  copyFrom(from: PackedColumns, count: number, at: number, dirOffset: number): void {
    this.sizes.set(from.sizes.subarray(0, count), at);
    this.blocks.set(from.blocks.subarray(0, count), at);
    this.mtimes.set(from.mtimes.subarray(0, count), at);
    this.ctimes.set(from.ctimes.subarray(0, count), at);
    this.inos.set(from.inos.subarray(0, count), at);
    this.nlinks.set(from.nlinks.subarray(0, count), at);
    const devIds = from.devices.map((dev) => this.deviceId(dev));
    for (let i = 0; i < count; i++) {
      this.devs[at + i] = devIds[from.devs[i]!]!;
      this.dirs[at + i] = from.dirs[i]! + dirOffset;
    }
  }

  /** Grows every column to `capacity` slots (the old buffers are released at once, not left to the GC). */
  grow(capacity: number): void {
    this.sizes = resized(this.sizes, capacity, Float64Array);
    this.blocks = resized(this.blocks, capacity, Float64Array);
    this.mtimes = resized(this.mtimes, capacity, Float64Array);
    this.ctimes = resized(this.ctimes, capacity, Float64Array);
    this.inos = resized(this.inos, capacity, Float64Array);
    this.nlinks = resized(this.nlinks, capacity, Uint32Array);
    this.devs = resized(this.devs, capacity, Uint16Array);
    const dirs = resized(this.dirs, capacity, Int32Array);
    dirs.fill(-1, this.capacity);
    this.dirs = dirs;
    this.capacity = capacity;
  }

  private deviceId(dev: number): number {
    let id = this.deviceIds.get(dev);
    if (id === undefined) {
      if (this.devices.length > MAX_DEVICES) throw new Error('more than 65,536 devices in one file index');
      id = this.devices.push(dev) - 1;
      this.deviceIds.set(dev, id);
    }
    return id;
  }
}

/** Bytes of figures per slot: five Float64 columns, nlink, dev, dir. */
export const BYTES_PER_SLOT = 5 * 8 + 4 + 2 + 4;

/** Detaches (frees at once) the buffers of packed columns that are no longer needed. */
export function releaseColumns(columns: PackedColumns): void {
  for (const column of [columns.sizes, columns.blocks, columns.mtimes, columns.ctimes, columns.inos, columns.nlinks, columns.devs, columns.dirs]) release(column);
}
