import { resized } from './typed-arrays.js';

/**
 * The directories of a file index, each with an id, and the files of each as a doubly linked list of slots through
 * two Int32Array columns (8 B per file), so that a directory's files are listed, counted and dropped without a map
 * per directory. Directories are few (a camera's 1M files sit in ~10,000), so they are objects-free but not packed:
 * a Map from path to id and an array of paths. Ids of removed directories are reused.
 */
export class DirectoryTable {
  private readonly ids = new Map<string, number>();
  private readonly paths: Array<string | undefined> = [];
  private readonly freeIds: number[] = [];
  private heads: Int32Array = new Int32Array(64).fill(-1);
  private tails: Int32Array = new Int32Array(64).fill(-1);
  private counts: Int32Array = new Int32Array(64);
  /** Per slot: the next and previous slot of the same directory (-1 at the ends). */
  private next: Int32Array;
  private prev: Int32Array;

  constructor(slotCapacity: number) {
    this.next = new Int32Array(slotCapacity);
    this.prev = new Int32Array(slotCapacity);
  }

  get byteLength(): number {
    return this.next.byteLength + this.prev.byteLength + this.heads.byteLength + this.tails.byteLength + this.counts.byteLength;
  }

  get size(): number {
    return this.ids.size;
  }

  growSlots(capacity: number): void {
    this.next = resized(this.next, capacity, Int32Array);
    this.prev = resized(this.prev, capacity, Int32Array);
  }

  idOf(path: string): number | undefined {
    return this.ids.get(path);
  }

  pathOf(id: number): string {
    return this.paths[id]!;
  }

  /** The id of a directory, made (with its ancestors') if it is not known. */
  ensure(path: string): number {
    const known = this.ids.get(path);
    if (known !== undefined) return known;
    // Ancestors first, without recursion (paths may be thousands of levels deep).
    const missing = [path];
    for (let up = path; up !== ''; ) {
      up = parentOf(up);
      if (this.ids.has(up)) break;
      missing.push(up);
    }
    let id = -1;
    for (let k = missing.length - 1; k >= 0; k--) id = this.add(missing[k]!);
    return id;
  }

  private add(path: string): number {
    const id = this.freeIds.pop() ?? this.paths.length;
    if (id >= this.heads.length) this.growDirs(this.heads.length * 2);
    this.paths[id] = path;
    this.ids.set(path, id);
    this.heads[id] = -1;
    this.tails[id] = -1;
    this.counts[id] = 0;
    return id;
  }

  /** Forgets a directory (its files must be unlinked first). */
  delete(path: string): void {
    const id = this.ids.get(path);
    if (id === undefined) return;
    this.ids.delete(path);
    this.paths[id] = undefined;
    this.freeIds.push(id);
  }

  /** Number of files in a directory. */
  countOf(id: number): number {
    return this.counts[id]!;
  }

  /** Adds a slot at the end of its directory's list. */
  append(id: number, slot: number): void {
    const tail = this.tails[id]!;
    this.prev[slot] = tail;
    this.next[slot] = -1;
    if (tail < 0) this.heads[id] = slot;
    else this.next[tail] = slot;
    this.tails[id] = slot;
    this.counts[id]!++;
  }

  unlink(id: number, slot: number): void {
    const before = this.prev[slot]!;
    const after = this.next[slot]!;
    if (before < 0) this.heads[id] = after;
    else this.next[before] = after;
    if (after < 0) this.tails[id] = before;
    else this.prev[after] = before;
    this.counts[id]!--;
  }

  /** The slots of a directory, in the order they were added. The caller may unlink the slot it was just given. */
  *slotsIn(id: number): Generator<number> {
    for (let slot = this.heads[id]!; slot >= 0; ) {
      const following = this.next[slot]!;
      yield slot;
      slot = following;
    }
  }

  /** Every directory: path and id. */
  entries(): IterableIterator<[string, number]> {
    return this.ids.entries();
  }

  keys(): IterableIterator<string> {
    return this.ids.keys();
  }

  /**
   * Links `count` slots (0 … count − 1, directory ids in `dirs`) into their directories' lists at once, in slot
   * order: what a scan's slots need. Returns at every 4,096 slots for the caller to pause.
   */
  *linkAll(dirs: Int32Array, count: number): Generator<void> {
    for (let slot = 0; slot < count; slot++) {
      this.append(dirs[slot]!, slot);
      if ((slot & 0xfff) === 0xfff) yield;
    }
  }

  private growDirs(size: number): void {
    const grow = (column: Int32Array, fill: number): Int32Array => {
      const length = column.length; // read before the resize detaches the old buffer
      return resized(column, size, Int32Array).fill(fill, length);
    };
    this.heads = grow(this.heads, -1);
    this.tails = grow(this.tails, -1);
    this.counts = grow(this.counts, 0);
  }
}

/** `a/b/c` → `a/b`, `c` → ``. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
