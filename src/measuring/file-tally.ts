import type { Tally } from './file-view.js';
import type { FileColumns } from './file-columns.js';
import type { OrderedSlots } from './ordered-slots.js';
import type { InodeTable } from './slot-table.js';

/** Figures of an inode reached by two or more indexed paths, and the slots of those paths. */
interface SharedInode {
  readonly slots: number[];
  size: number;
  blocks: number;
}

/**
 * The tally of a file index (SPEC §2: bytes over distinct inodes, files over paths) and the oldest and newest mtime,
 * kept as slots are counted and uncounted. Hard links are counted once: an inode reached by two or more indexed
 * paths gets an entry here (the only per-file objects of the index, one per such inode), its bytes counted at the
 * latest figures seen through any of its paths.
 */
export class FileTally {
  files = 0;
  private bytes = 0;
  private diskBytes = 0;
  /** Inodes held by two or more slots. */
  private readonly shared = new Map<number, SharedInode>();
  /**
   * Inodes a path stopped linking to while other indexed paths still do. A change made through the path that
   * left reached no watch of the others' directories, so their figures may be old: see FileIndex.takeStaleLinks().
   */
  private leftLinks = new Set<number>();
  /** Oldest/newest mtime, kept as files come; recomputed once after the file holding either extreme leaves. */
  private range: { oldest: number; newest: number } | null = null;
  private rangeKnown = true;

  constructor(
    private readonly columns: FileColumns,
    private readonly byIno: InodeTable,
    /** The size order, if kept: a slot's size changes when it is left as the last path of an inode. */
    private readonly sizeOrder: () => OrderedSlots | undefined,
  ) {}

  tally(): Tally {
    return { bytes: this.bytes, diskBytes: this.diskBytes, files: this.files };
  }

  /** The slots of an inode reached by two or more indexed paths (undefined otherwise). */
  linkedSlots(ino: number): readonly number[] | undefined {
    return this.shared.get(ino)?.slots;
  }

  /** Notes that a slot stops linking to its inode (see leftLinks). */
  noteLeaving(slot: number): void {
    const ino = this.columns.inos[slot]!;
    if (this.shared.has(ino)) this.leftLinks.add(ino);
  }

  /** The inodes left since the last call. */
  takeLeftLinks(): ReadonlySet<number> {
    const left = this.leftLinks;
    if (left.size > 0) this.leftLinks = new Set();
    return left;
  }

  /** Oldest and newest mtime (null when empty); walks slots 0 … used − 1 once after an extreme left. */
  mtimeRange(used: number): { oldest: number; newest: number } | null {
    if (this.files === 0) return null;
    if (!this.rangeKnown) {
      let oldest = Infinity;
      let newest = -Infinity;
      const { dirs, mtimes } = this.columns;
      for (let slot = 0; slot < used; slot++) {
        if (dirs[slot]! < 0) continue;
        const mtime = mtimes[slot]!;
        if (mtime < oldest) oldest = mtime;
        if (mtime > newest) newest = mtime;
      }
      this.range = { oldest, newest };
      this.rangeKnown = true;
    }
    return this.range ? { ...this.range } : null;
  }

  /** Counts a slot just written. */
  count(slot: number): void {
    this.files++;
    if (this.rangeKnown) {
      const mtime = this.columns.mtimes[slot]!;
      if (!this.range) this.range = { oldest: mtime, newest: mtime };
      else if (mtime < this.range.oldest) this.range.oldest = mtime;
      else if (mtime > this.range.newest) this.range.newest = mtime;
    }
    const ino = this.columns.inos[slot]!;
    const size = this.columns.sizes[slot]!;
    const blocks = this.columns.blocks[slot]!;
    const other = this.byIno.find(ino);
    if (other < 0) {
      this.byIno.set(slot);
      this.bytes += size;
      this.diskBytes += blocks * 512;
      return;
    }
    // Another path to a counted inode: bytes stay counted once, at the latest figures observed.
    let inode = this.shared.get(ino);
    if (!inode) {
      inode = { slots: [other], size: this.columns.sizes[other]!, blocks: this.columns.blocks[other]! };
      this.shared.set(ino, inode);
    }
    inode.slots.push(slot);
    this.bytes += size - inode.size;
    this.diskBytes += (blocks - inode.blocks) * 512;
    inode.size = size;
    inode.blocks = blocks;
  }

  /** Uncounts a slot before it is rewritten or released. */
  uncount(slot: number): void {
    this.files--;
    if (this.files === 0) {
      this.range = null;
      this.rangeKnown = true;
    } else if (this.rangeKnown && this.range && (this.columns.mtimes[slot] === this.range.oldest || this.columns.mtimes[slot] === this.range.newest)) {
      this.rangeKnown = false;
    }
    const ino = this.columns.inos[slot]!;
    const inode = this.shared.get(ino);
    if (!inode) {
      this.byIno.delete(slot);
      this.bytes -= this.columns.sizes[slot]!;
      this.diskBytes -= this.columns.blocks[slot]! * 512;
      return;
    }
    // The inode stays counted through its other paths.
    inode.slots.splice(inode.slots.indexOf(slot), 1);
    const remaining = inode.slots[0]!;
    if (this.byIno.find(ino) === slot) this.byIno.set(remaining);
    if (inode.slots.length === 1) {
      // Back to one path: it carries the inode's latest figures, so that removing it later uncounts them.
      this.shared.delete(ino);
      // The figures of the remaining path change: the size order must see it.
      const bySize = this.sizeOrder();
      bySize?.remove(remaining);
      this.columns.sizes[remaining] = inode.size;
      bySize?.insert(remaining);
      this.columns.blocks[remaining] = inode.blocks;
    }
  }
}
