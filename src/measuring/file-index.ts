import type { FileEntry } from './file-entry.js';
import type { TimeSlices } from '../common/time-slices.js';
import type { FileView, OrderKey, Tally } from './file-view.js';
import { SlotOrders, type OrderedSlots } from './ordered-slots.js';
import { compareStrings } from './radix-sort.js';
import type { PackedFiles, ScanOutput } from './scan-output.js';
import type { FileColumns } from './file-columns.js';
import type { NameArena } from './name-arena.js';
import { FileSlots } from './file-slots.js';
import { DirectoryTable } from './directory-table.js';
import { InodeTable, NameTable } from './slot-table.js';
import { FileTally } from './file-tally.js';

export { EMPTY_TALLY, type Tally } from './file-view.js';

/** The names of a directory's files, read through the index (live: it shows changes made after it was taken). */
export interface DirectoryNames {
  readonly size: number;
  has(name: string): boolean;
  keys(): IterableIterator<string>;
}

/** Where an index's memory goes, in bytes (capacities, what is allocated, not only what is in use). */
export interface IndexFootprint {
  readonly files: number;
  readonly slots: number;
  /** Figures: size, blocks, mtime, ctime, ino (Float64), nlink (Uint32), dev (Uint16), directory id (Int32). */
  readonly columns: number;
  /** Name offsets (Uint32) and lengths (Uint16) per slot. */
  readonly nameOffsets: number;
  /** The name bytes' buffers, holes included (`nameHoles` of them). */
  readonly nameBytes: number;
  readonly nameHoles: number;
  /** The (directory, name) → slot hash table. */
  readonly byName: number;
  /** The inode → slot hash table. */
  readonly byInode: number;
  /** Per-directory lists of slots (two Int32 per slot) and per-directory heads, tails and counts. */
  readonly directoryLists: number;
  /** Deletion orders kept (4 B per file and key read). */
  readonly orders: number;
}

/**
 * The in-memory index of one target's regular files, grouped by directory, with a tally kept up to date on every
 * change. Built for millions of files, with no JavaScript object, string or map entry per file:
 * - a slot per file (file-slots.ts): figures in typed-array columns (file-columns.ts), names as bytes in one arena
 *   (name-arena.ts), in the file-name escape, decoded only when an entry is read,
 * - a path found through one open-addressing hash table of (directory id, name) → slot, an inode through another
 *   (slot-table.ts),
 * - each directory's files as a linked list of slots (directory-table.ts).
 * About 95 bytes per file at 1M files (README, "where each byte goes"). Freed slots are reused; the name arena is
 * compacted in slices of the event loop once holes outweigh names. Hard links are counted once: inodes reached by
 * several indexed paths are tracked apart (an object per such inode). Paths are relative to the target root; ''
 * is the root directory.
 *
 * A scan's packed files become the index's storage as they are (fromScan): no copy per file.
 *
 * As a FileView it also keeps the deletion order of each key a policy has read (ordered-slots.ts): made on the
 * first read of that key, then kept through every change, so a plan reads only the files it deletes.
 */
export class FileIndex implements FileView {
  private readonly slots: FileSlots;
  /** The slots' own, read directly on every path. */
  private readonly columns: FileColumns;
  private readonly names: NameArena;
  private readonly dirs: DirectoryTable;
  private readonly byName: NameTable;
  private readonly byIno: InodeTable;
  /** Reads the columns at each call: they are replaced when they grow. */
  private readonly orders = new SlotOrders({
    key: (key, slot) => (key === 'size' ? -this.columns.sizes[slot]! : key === 'ctime' ? this.columns.ctimes[slot]! : this.columns.mtimes[slot]!),
    tie: (a, b) => this.tie(a, b),
  });

  private readonly tallied: FileTally;

  /** An empty index, or (from a scan) one over packed files whose slots are not linked yet: see scanSteps. */
  constructor(packed?: PackedFiles) {
    this.slots = new FileSlots(packed, (capacity) => this.dirs.growSlots(capacity));
    this.columns = this.slots.columns;
    this.names = this.slots.names;
    this.dirs = new DirectoryTable(this.columns.capacity);
    this.byName = new NameTable(this.columns, this.names, this.slots.used);
    this.byIno = new InodeTable(this.columns, this.slots.used);
    this.tallied = new FileTally(this.columns, this.byIno, () => this.orders.built('size'));
    this.dirs.ensure('');
  }

  static fromScan(output: ScanOutput): FileIndex {
    const steps = FileIndex.scanSteps(output);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /** fromScan() in slices of the event loop (1M files are ~0.3 s of work). */
  static async fromScanInSlices(output: ScanOutput, slices: TimeSlices): Promise<FileIndex> {
    const steps = FileIndex.scanSteps(output);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      await slices.maybePause();
    }
  }

  /**
   * fromScan() as steps: it yields every 4,096 files. The scan's columns and name bytes become the index's own
   * (the scan output must not be used after); what is built per file is the hash tables and directory lists.
   */
  private static *scanSteps(output: ScanOutput): Generator<void, FileIndex> {
    const files = output.files;
    const index = new FileIndex(files);
    const ids = output.dirs.map((dir) => index.dirs.ensure(dir));
    const dirs = index.columns.dirs;
    for (let slot = 0; slot < files.count; slot++) {
      dirs[slot] = ids[dirs[slot]!]!;
      if ((slot & 0xffff) === 0xffff) yield;
    }
    for (let slot = 0; slot < files.count; slot++) {
      // A path listed twice (never in one walk): the later listing wins, as an upsert would.
      const previous = index.byName.findSame(slot);
      if (previous >= 0) index.release(previous);
      index.byName.insert(slot);
      index.dirs.append(dirs[slot]!, slot);
      index.count(slot);
      if ((slot & 0xfff) === 0xfff) yield;
    }
    return index;
  }

  tally(): Tally {
    return this.tallied.tally();
  }

  get size(): number {
    return this.tallied.files;
  }

  has(path: string): boolean {
    return this.slotOf(path) >= 0;
  }

  /** Files in deletion order for `key` (see FileView); the order is built on the first read of a key. */
  *ordered(key: OrderKey, reverse = false): Generator<FileEntry> {
    for (const slot of this.orderOf(key).slots(reverse)) yield this.columns.entry(slot, this.pathOf(slot));
  }

  linksOf(entry: FileEntry): readonly FileEntry[] {
    const slots = this.tallied.linkedSlots(entry.ino);
    return slots ? slots.map((slot) => this.columns.entry(slot, this.pathOf(slot))) : [entry];
  }

  get(path: string): FileEntry | undefined {
    const slot = this.slotOf(path);
    return slot < 0 ? undefined : this.columns.entry(slot, path);
  }

  /** Adds or replaces the entry at its path. Returns whether anything changed. */
  upsert(entry: FileEntry): boolean {
    const [dirPath, name] = split(entry.path);
    const dir = this.dirs.ensure(dirPath);
    let slot = this.byName.find(dir, name);
    if (slot >= 0) {
      if (this.columns.same(slot, entry.size, entry.blocks, entry.mtimeMs, entry.ctimeMs, entry.dev, entry.ino, entry.nlink)) return false;
      if (this.columns.inos[slot] !== entry.ino) this.tallied.noteLeaving(slot);
      this.uncount(slot);
    } else {
      slot = this.allocate(dir, name);
    }
    this.columns.write(slot, entry.size, entry.blocks, entry.mtimeMs, entry.ctimeMs, entry.dev, entry.ino, entry.nlink);
    this.count(slot);
    return true;
  }

  remove(path: string): boolean {
    const slot = this.slotOf(path);
    if (slot < 0) return false;
    this.release(slot);
    return true;
  }

  /** Removes a directory and everything indexed below it. Returns the number of files dropped. */
  removeSubtree(dirPath: string): number {
    // Directories are indexed with their ancestors: an unknown one has nothing indexed below it.
    if (this.dirs.idOf(dirPath) === undefined) return 0;
    let dropped = 0;
    const prefix = `${dirPath}/`;
    for (const [path, id] of [...this.dirs.entries()]) {
      if (path === dirPath || dirPath === '' || path.startsWith(prefix)) {
        for (const slot of this.dirs.slotsIn(id)) {
          this.release(slot);
          dropped++;
        }
        if (path !== '') this.dirs.delete(path);
      }
    }
    return dropped;
  }

  /** Records that a directory exists (with its ancestors), even while empty. */
  ensureDir(dirPath: string): void {
    this.dirs.ensure(dirPath);
  }

  hasDir(dirPath: string): boolean {
    return this.dirs.idOf(dirPath) !== undefined;
  }

  /** Names of the files directly in `dir` (undefined when the directory is unknown). */
  namesIn(dirPath: string): DirectoryNames | undefined {
    if (this.dirs.idOf(dirPath) === undefined) return undefined;
    const { dirs, byName, names } = this;
    const id = (): number | undefined => dirs.idOf(dirPath);
    return {
      get size() {
        const dir = id();
        return dir === undefined ? 0 : dirs.countOf(dir);
      },
      has: (name) => {
        const dir = id();
        return dir !== undefined && byName.find(dir, name) >= 0;
      },
      *keys() {
        const dir = id();
        if (dir !== undefined) for (const slot of dirs.slotsIn(dir)) yield names.nameOf(slot);
      },
    };
  }

  /** Known directories directly below `dir`. */
  subdirectoriesOf(dirPath: string): string[] {
    const result: string[] = [];
    for (const path of this.dirs.keys()) {
      if (path !== '' && path !== dirPath && split(path)[0] === dirPath) result.push(path);
    }
    return result;
  }

  /** Every file as an entry object (made on demand: the index itself holds none). */
  *entries(): Generator<FileEntry> {
    for (const [dir, id] of this.dirs.entries()) {
      for (const slot of this.dirs.slotsIn(id)) {
        const name = this.names.nameOf(slot);
        yield this.columns.entry(slot, dir === '' ? name : `${dir}/${name}`);
      }
    }
  }

  toArray(): FileEntry[] {
    return [...this.entries()];
  }

  /**
   * Oldest and newest mtime over all files (null when empty). Kept up to date as files come; when a file holding
   * an extreme leaves (a cleanup deletes the oldest), the next call walks the index once (O(n)).
   */
  mtimeRange(): { oldest: number; newest: number } | null {
    const byMtime = this.orders.built('mtime');
    if (byMtime && this.tallied.files > 0) return { oldest: this.columns.mtimes[byMtime.first()]!, newest: this.columns.mtimes[byMtime.last()]! };
    return this.tallied.mtimeRange(this.slots.used);
  }

  /**
   * Paths still linking to inodes that another path left since the last call (their figures may be old and
   * should be read again). Walks the index only when there are such inodes.
   */
  takeStaleLinks(): string[] {
    const left = this.tallied.takeLeftLinks();
    if (left.size === 0) return [];
    const paths: string[] = [];
    const { dirs, inos } = this.columns;
    for (let slot = 0; slot < this.slots.used; slot++) {
      if (dirs[slot]! >= 0 && left.has(inos[slot]!)) paths.push(this.pathOf(slot));
    }
    return paths;
  }

  /** Builds the order of `key` ahead of its first read, in slices of the event loop (see SlotOrders.prepare). */
  prepareOrder(key: OrderKey, slices: TimeSlices): Promise<void> {
    return this.orders.prepare(key, () => this.liveSlots(), slices);
  }

  /** Where the index's memory goes (see IndexFootprint). */
  footprint(): IndexFootprint {
    const names = this.names.footprint();
    return {
      files: this.tallied.files,
      slots: this.columns.capacity,
      columns: this.columns.byteLength,
      nameOffsets: names.offsets,
      nameBytes: names.bytes,
      nameHoles: names.holes,
      byName: this.byName.byteLength,
      byInode: this.byIno.byteLength,
      directoryLists: this.dirs.byteLength,
      orders: this.orders.byteLength,
    };
  }

  /** The compaction of the name arena under way, if one is (it runs in slices of the event loop). */
  compactionUnderWay(): Promise<void> | undefined {
    return this.slots.compactionUnderWay();
  }

  private slotOf(path: string): number {
    const [dirPath, name] = split(path);
    const dir = this.dirs.idOf(dirPath);
    return dir === undefined ? -1 : this.byName.find(dir, name);
  }

  private orderOf(key: OrderKey): OrderedSlots {
    return this.orders.of(key, () => this.liveSlots());
  }

  private liveSlots(): Int32Array {
    return this.slots.live(this.tallied.files);
  }

  private pathOf(slot: number): string {
    const dir = this.dirs.pathOf(this.columns.dirs[slot]!);
    const name = this.names.nameOf(slot);
    return dir === '' ? name : `${dir}/${name}`;
  }

  /** Order of two slots by path (plain code-unit order), without making strings when their directories tell. */
  private tie(a: number, b: number): number {
    const da = this.columns.dirs[a]!;
    const db = this.columns.dirs[b]!;
    if (da === db) return this.names.compare(a, b);
    const pa = this.dirs.pathOf(da);
    const pb = this.dirs.pathOf(db);
    // Neither directory a prefix of the other: the paths first differ inside both directory paths.
    if (pa !== '' && pb !== '' && !pa.startsWith(pb) && !pb.startsWith(pa)) return compareStrings(pa, pb);
    return compareStrings(this.pathOf(a), this.pathOf(b));
  }

  private allocate(dir: number, name: string): number {
    const slot = this.slots.take(dir, name);
    this.byName.insert(slot);
    this.dirs.append(dir, slot);
    return slot;
  }

  /** Drops a slot: out of the tally and orders (while its figures and name still hold), the tables, its directory. */
  private release(slot: number): void {
    this.tallied.noteLeaving(slot);
    this.uncount(slot);
    this.byName.delete(slot);
    this.dirs.unlink(this.columns.dirs[slot]!, slot);
    this.slots.free(slot);
  }

  private count(slot: number): void {
    this.orders.insert(slot);
    this.tallied.count(slot);
  }

  private uncount(slot: number): void {
    this.orders.remove(slot);
    this.tallied.uncount(slot);
  }
}

/** Splits `a/b/c` into [`a/b`, `c`] and `c` into [``, `c`]. */
export function split(path: string): [string, string] {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
}
