import type { FileEntry } from './file-entry.js';
import type { TimeSlices } from '../common/time-slices.js';
import type { FileView, OrderKey, Tally } from './file-view.js';
import { compareStrings, SlotOrders, type OrderedSlots } from './ordered-slots.js';
import { FIELDS, type ScanOutput } from './scan-output.js';

export { EMPTY_TALLY, type Tally } from './file-view.js';

interface Directory {
  readonly path: string;
  /** File name → slot. */
  readonly files: Map<string, number>;
}

/** Figures of an inode reached by two or more indexed paths, and the slots of those paths. */
interface SharedInode {
  readonly slots: number[];
  size: number;
  blocks: number;
}

const INITIAL_CAPACITY = 1024;

/**
 * The in-memory index of one target's regular files, grouped by directory, with a tally kept up to date on
 * every change. Built for millions of files: each file is a slot in typed-array columns (size, blocks,
 * mtime, ctime, dev, ino, nlink) and a name in its directory's map, so a file costs about a hundred bytes
 * rather than a JavaScript object. Hard links are counted once: inodes reached by several indexed paths are tracked
 * apart. All paths are relative to the target root; '' is the root directory.
 *
 * As a FileView it also keeps the deletion order of each key a policy has read (ordered-slots.ts): made on the
 * first read of that key, then kept through every change, so a plan reads only the files it deletes.
 */
export class FileIndex implements FileView {
  private readonly dirs = new Map<string, Directory>();
  /** Slot → its directory and name (the path, without a string per file). */
  private readonly slotDirs: Directory[] = [];
  private readonly slotNames: string[] = [];
  /** Reads the columns at each call: they are replaced when they grow. */
  private readonly orders = new SlotOrders({
    key: (key, slot) => (key === 'size' ? -this.sizes[slot]! : key === 'ctime' ? this.ctimes[slot]! : this.mtimes[slot]!),
    tie: (a, b) =>
      this.slotDirs[a] === this.slotDirs[b] ? compareStrings(this.slotNames[a]!, this.slotNames[b]!) : compareStrings(this.pathOf(a), this.pathOf(b)),
  });

  private capacity = INITIAL_CAPACITY;
  private sizes = new Float64Array(INITIAL_CAPACITY);
  private blockCounts = new Float64Array(INITIAL_CAPACITY);
  private mtimes = new Float64Array(INITIAL_CAPACITY);
  private ctimes = new Float64Array(INITIAL_CAPACITY);
  private devs = new Float64Array(INITIAL_CAPACITY);
  private inos = new Float64Array(INITIAL_CAPACITY);
  private nlinks = new Uint32Array(INITIAL_CAPACITY);
  private readonly freeSlots: number[] = [];
  private used = 0;

  /** Inode → one slot that holds it. */
  private readonly byIno = new Map<number, number>();
  /** Inodes held by two or more slots. */
  private readonly shared = new Map<number, SharedInode>();
  /**
   * Inodes a path stopped linking to while other indexed paths still do. A change made through the path that
   * left reached no watch of the others' directories, so their figures may be old: see takeStaleLinks().
   */
  private readonly leftLinks = new Set<number>();
  private bytes = 0;
  private diskBytes = 0;
  private files = 0;
  /** Oldest/newest mtime, kept as files come; recomputed once after the file holding either extreme leaves. */
  private range: { oldest: number; newest: number } | null = null;
  private rangeKnown = true;

  static fromScan(output: ScanOutput): FileIndex {
    const steps = FileIndex.scanSteps(output);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /** fromScan() in slices of the event loop (1M files are ~0.5 s of work). */
  static async fromScanInSlices(output: ScanOutput, slices: TimeSlices): Promise<FileIndex> {
    const steps = FileIndex.scanSteps(output);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      await slices.maybePause();
    }
  }

  /** fromScan() as steps: it yields every 4,096 files. */
  private static *scanSteps(output: ScanOutput): Generator<void, FileIndex> {
    const index = new FileIndex();
    index.ensureDir('');
    index.reserve(output.names.length);
    const dirs = output.dirs.map((dir) => {
      index.ensureDir(dir);
      return index.dirs.get(dir)!;
    });
    const n = output.numbers;
    for (let i = 0; i < output.names.length; i++) {
      const dir = dirs[output.fileDirs[i]!]!;
      const name = output.names[i]!;
      const previous = dir.files.get(name);
      if (previous !== undefined) index.release(dir, name, previous);
      const slot = index.allocate(dir, name);
      const o = i * FIELDS;
      index.write(slot, n[o]!, n[o + 1]!, n[o + 2]!, n[o + 3]!, n[o + 4]!, n[o + 5]!, n[o + 6]!);
      index.count(slot);
      if ((i & 0xfff) === 0xfff) yield;
    }
    return index;
  }

  tally(): Tally {
    return { bytes: this.bytes, diskBytes: this.diskBytes, files: this.files };
  }

  get size(): number {
    return this.files;
  }

  has(path: string): boolean {
    const [dir, name] = split(path);
    return this.dirs.get(dir)?.files.has(name) ?? false;
  }

  /** Files in deletion order for `key` (see FileView); the order is built on the first read of a key. */
  *ordered(key: OrderKey, reverse = false): Generator<FileEntry> {
    for (const slot of this.orderOf(key).slots(reverse)) yield this.entryAt(slot, this.pathOf(slot));
  }

  linksOf(entry: FileEntry): readonly FileEntry[] {
    const inode = this.shared.get(entry.ino);
    return inode ? inode.slots.map((slot) => this.entryAt(slot, this.pathOf(slot))) : [entry];
  }

  get(path: string): FileEntry | undefined {
    const [dir, name] = split(path);
    const slot = this.dirs.get(dir)?.files.get(name);
    return slot === undefined ? undefined : this.entryAt(slot, path);
  }

  /** Adds or replaces the entry at its path. Returns whether anything changed. */
  upsert(entry: FileEntry): boolean {
    const [dirPath, name] = split(entry.path);
    let dir = this.dirs.get(dirPath);
    if (!dir) {
      this.ensureDir(dirPath);
      dir = this.dirs.get(dirPath)!;
    }
    let slot = dir.files.get(name);
    if (slot !== undefined) {
      if (this.sameFigures(slot, entry)) return false;
      if (this.inos[slot] !== entry.ino) this.noteLeaving(slot);
      this.uncount(slot);
    } else {
      slot = this.allocate(dir, name);
    }
    this.write(slot, entry.size, entry.blocks, entry.mtimeMs, entry.ctimeMs, entry.dev, entry.ino, entry.nlink);
    this.count(slot);
    return true;
  }

  remove(path: string): boolean {
    const [dirPath, name] = split(path);
    const dir = this.dirs.get(dirPath);
    const slot = dir?.files.get(name);
    if (!dir || slot === undefined) return false;
    this.release(dir, name, slot);
    return true;
  }

  /** Removes a directory and everything indexed below it. Returns the number of files dropped. */
  removeSubtree(dirPath: string): number {
    // Directories are indexed with their ancestors: an unknown one has nothing indexed below it.
    if (!this.dirs.has(dirPath)) return 0;
    let dropped = 0;
    const prefix = `${dirPath}/`;
    for (const [path, dir] of this.dirs) {
      if (path === dirPath || dirPath === '' || path.startsWith(prefix)) {
        for (const [name, slot] of [...dir.files]) {
          this.release(dir, name, slot);
          dropped++;
        }
        if (path !== '') this.dirs.delete(path);
      }
    }
    return dropped;
  }

  /** Records that a directory exists (with its ancestors), even while empty. */
  ensureDir(dirPath: string): void {
    let current = dirPath;
    while (!this.dirs.has(current)) {
      this.dirs.set(current, { path: current, files: new Map() });
      if (current === '') return;
      current = split(current)[0];
    }
  }

  hasDir(dirPath: string): boolean {
    return this.dirs.has(dirPath);
  }

  /** Names of the files directly in `dir` (undefined when the directory is unknown). */
  namesIn(dirPath: string): ReadonlyMap<string, unknown> | undefined {
    return this.dirs.get(dirPath)?.files;
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
    for (const dir of this.dirs.values()) {
      for (const [name, slot] of dir.files) yield this.entryAt(slot, dir.path === '' ? name : `${dir.path}/${name}`);
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
    if (this.files === 0) return null;
    const byMtime = this.orders.built('mtime');
    if (byMtime) return { oldest: this.mtimes[byMtime.first()]!, newest: this.mtimes[byMtime.last()]! };
    if (!this.rangeKnown) {
      let oldest = Infinity;
      let newest = -Infinity;
      for (const dir of this.dirs.values()) {
        for (const slot of dir.files.values()) {
          const mtime = this.mtimes[slot]!;
          if (mtime < oldest) oldest = mtime;
          if (mtime > newest) newest = mtime;
        }
      }
      this.range = { oldest, newest };
      this.rangeKnown = true;
    }
    return this.range ? { ...this.range } : null;
  }

  /**
   * Paths still linking to inodes that another path left since the last call (their figures may be old and
   * should be read again). Walks the index only when there are such inodes.
   */
  takeStaleLinks(): string[] {
    if (this.leftLinks.size === 0) return [];
    const paths: string[] = [];
    for (const dir of this.dirs.values()) {
      for (const [name, slot] of dir.files) {
        if (this.leftLinks.has(this.inos[slot]!)) paths.push(dir.path === '' ? name : `${dir.path}/${name}`);
      }
    }
    this.leftLinks.clear();
    return paths;
  }

  /** Builds the order of `key` ahead of its first read, in slices of the event loop (see SlotOrders.prepare). */
  prepareOrder(key: OrderKey, slices: TimeSlices): Promise<void> {
    return this.orders.prepare(key, () => this.liveSlots(), slices);
  }

  private orderOf(key: OrderKey): OrderedSlots {
    return this.orders.of(key, () => this.liveSlots());
  }

  private liveSlots(): Int32Array {
    const slots = new Int32Array(this.files);
    let i = 0;
    for (const dir of this.dirs.values()) for (const slot of dir.files.values()) slots[i++] = slot;
    return slots;
  }

  private pathOf(slot: number): string {
    const dir = this.slotDirs[slot]!.path;
    return dir === '' ? this.slotNames[slot]! : `${dir}/${this.slotNames[slot]!}`;
  }

  private noteLeaving(slot: number): void {
    const ino = this.inos[slot]!;
    if (this.shared.has(ino)) this.leftLinks.add(ino);
  }

  private entryAt(slot: number, path: string): FileEntry {
    return {
      path,
      size: this.sizes[slot]!,
      blocks: this.blockCounts[slot]!,
      mtimeMs: this.mtimes[slot]!,
      ctimeMs: this.ctimes[slot]!,
      dev: this.devs[slot]!,
      ino: this.inos[slot]!,
      nlink: this.nlinks[slot]!,
    };
  }

  private sameFigures(slot: number, e: FileEntry): boolean {
    return (
      this.sizes[slot] === e.size &&
      this.blockCounts[slot] === e.blocks &&
      this.mtimes[slot] === e.mtimeMs &&
      this.ctimes[slot] === e.ctimeMs &&
      this.inos[slot] === e.ino &&
      this.devs[slot] === e.dev &&
      this.nlinks[slot] === e.nlink
    );
  }

  private write(slot: number, size: number, blocks: number, mtimeMs: number, ctimeMs: number, dev: number, ino: number, nlink: number): void {
    this.sizes[slot] = size;
    this.blockCounts[slot] = blocks;
    this.mtimes[slot] = mtimeMs;
    this.ctimes[slot] = ctimeMs;
    this.devs[slot] = dev;
    this.inos[slot] = ino;
    this.nlinks[slot] = nlink;
  }

  private allocate(dir: Directory, name: string): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow(this.capacity * 2);
      slot = this.used++;
    }
    dir.files.set(name, slot);
    this.slotDirs[slot] = dir;
    this.slotNames[slot] = name;
    return slot;
  }

  private release(dir: Directory, name: string, slot: number): void {
    this.noteLeaving(slot);
    dir.files.delete(name);
    this.uncount(slot);
    this.freeSlots.push(slot);
  }

  /** Makes room for `more` files beyond those in use. */
  private reserve(more: number): void {
    const needed = this.used + more;
    if (needed > this.capacity) this.grow(Math.max(needed, this.capacity * 2));
  }

  private grow(capacity: number): void {
    const bigger = <T extends Float64Array | Uint32Array>(column: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(column);
      return next;
    };
    this.sizes = bigger(this.sizes, (n) => new Float64Array(n));
    this.blockCounts = bigger(this.blockCounts, (n) => new Float64Array(n));
    this.mtimes = bigger(this.mtimes, (n) => new Float64Array(n));
    this.ctimes = bigger(this.ctimes, (n) => new Float64Array(n));
    this.devs = bigger(this.devs, (n) => new Float64Array(n));
    this.inos = bigger(this.inos, (n) => new Float64Array(n));
    this.nlinks = bigger(this.nlinks, (n) => new Uint32Array(n));
    this.capacity = capacity;
  }

  /** Counts a slot just written (and places it in every order kept). */
  private count(slot: number): void {
    this.orders.insert(slot);
    this.files++;
    if (this.rangeKnown) {
      const mtime = this.mtimes[slot]!;
      if (!this.range) this.range = { oldest: mtime, newest: mtime };
      else if (mtime < this.range.oldest) this.range.oldest = mtime;
      else if (mtime > this.range.newest) this.range.newest = mtime;
    }
    const ino = this.inos[slot]!;
    const size = this.sizes[slot]!;
    const blocks = this.blockCounts[slot]!;
    const other = this.byIno.get(ino);
    if (other === undefined) {
      this.byIno.set(ino, slot);
      this.bytes += size;
      this.diskBytes += blocks * 512;
      return;
    }
    // Another path to a counted inode: bytes stay counted once, at the latest figures observed.
    let inode = this.shared.get(ino);
    if (!inode) {
      inode = { slots: [other], size: this.sizes[other]!, blocks: this.blockCounts[other]! };
      this.shared.set(ino, inode);
    }
    inode.slots.push(slot);
    this.bytes += size - inode.size;
    this.diskBytes += (blocks - inode.blocks) * 512;
    inode.size = size;
    inode.blocks = blocks;
  }

  /** Uncounts a slot before it is rewritten or released (and takes it out of every order kept). */
  private uncount(slot: number): void {
    this.orders.remove(slot);
    this.files--;
    if (this.files === 0) {
      this.range = null;
      this.rangeKnown = true;
    } else if (this.rangeKnown && this.range && (this.mtimes[slot] === this.range.oldest || this.mtimes[slot] === this.range.newest)) {
      this.rangeKnown = false;
    }
    const ino = this.inos[slot]!;
    const inode = this.shared.get(ino);
    if (!inode) {
      this.byIno.delete(ino);
      this.bytes -= this.sizes[slot]!;
      this.diskBytes -= this.blockCounts[slot]! * 512;
      return;
    }
    // The inode stays counted through its other paths.
    inode.slots.splice(inode.slots.indexOf(slot), 1);
    const remaining = inode.slots[0]!;
    if (this.byIno.get(ino) === slot) this.byIno.set(ino, remaining);
    if (inode.slots.length === 1) {
      // Back to one path: it carries the inode's latest figures, so that removing it later uncounts them.
      this.shared.delete(ino);
      // The figures of the remaining path change: the size order must see it.
      const bySize = this.orders.built('size');
      bySize?.remove(remaining);
      this.sizes[remaining] = inode.size;
      bySize?.insert(remaining);
      this.blockCounts[remaining] = inode.blocks;
    }
  }
}

/** Splits `a/b/c` into [`a/b`, `c`] and `c` into [``, `c`]. */
export function split(path: string): [string, string] {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
}
