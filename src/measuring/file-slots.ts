import { TimeSlices } from '../common/time-slices.js';
import type { PackedFiles } from './scan-output.js';
import { FileColumns } from './file-columns.js';
import { NameArena } from './name-arena.js';

const INITIAL_CAPACITY = 1024;
/** Slots of an index made empty (see the constructor). */
const EMPTY_CAPACITY = 16;
/** Slots a compaction step moves (~40 KB of names, well under a millisecond). */
const COMPACT_STEP = 4096;

/**
 * Where a file index keeps its files: one slot per file, its figures in typed-array columns (file-columns.ts), its
 * name in the arena (name-arena.ts). Hands slots out (freed ones first, so a churning target keeps its capacity;
 * else new ones, doubling the columns when full), takes them back, and compacts the name arena in slices of the
 * event loop once holes outweigh names. What finds a slot (hash tables, directory lists, orders) is the index's.
 */
export class FileSlots {
  readonly columns: FileColumns;
  readonly names: NameArena;
  /** Slots ever used: 0 … used − 1 (free ones have directory -1). */
  private usedSlots = 0;
  /** Slots freed, to be reused first (a stack). */
  private freeSlots = new Int32Array(64);
  private freeCount = 0;
  private compaction: Promise<void> | undefined;

  /**
   * Empty slots, or the packed files' own (a scan's: no copy), every one in use. `onGrow` hears each new capacity
   * before a slot past the old one is handed out (the index's per-slot lists grow with the columns).
   */
  constructor(
    packed: PackedFiles | undefined,
    private readonly onGrow: (capacity: number) => void,
  ) {
    if (packed) {
      this.columns = FileColumns.adopt(packed);
      this.names = NameArena.adopt(packed, packed.count);
      this.usedSlots = packed.count;
    } else {
      // Small until used: every monitor starts with an empty index that its first scan replaces (a thousand
      // targets made a thousand 130 KB indexes for nothing at start-up).
      this.columns = new FileColumns(EMPTY_CAPACITY);
      this.names = new NameArena(EMPTY_CAPACITY, EMPTY_CAPACITY * 16);
    }
  }

  get used(): number {
    return this.usedSlots;
  }

  /** A slot holding `name` in directory `dir`; its figures are the caller's to write. */
  take(dir: number, name: string): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
    } else {
      if (this.usedSlots === this.columns.capacity) this.grow(Math.max(INITIAL_CAPACITY, this.columns.capacity * 2));
      slot = this.usedSlots++;
    }
    this.columns.dirs[slot] = dir;
    this.names.write(slot, name);
    return slot;
  }

  /** Takes a slot back (the caller has unlinked it): its name leaves the arena, the slot is reused first. */
  free(slot: number): void {
    this.names.release(slot);
    this.columns.dirs[slot] = -1;
    if (this.freeCount === this.freeSlots.length) {
      const bigger = new Int32Array(this.freeSlots.length * 2);
      bigger.set(this.freeSlots);
      this.freeSlots = bigger;
    }
    this.freeSlots[this.freeCount++] = slot;
    if (this.compaction === undefined && this.names.wantsCompaction()) {
      this.compaction = this.compactNames().finally(() => {
        this.compaction = undefined;
      });
    }
  }

  /** The `count` slots in use, in slot order. */
  live(count: number): Int32Array {
    const slots = new Int32Array(count);
    const dirs = this.columns.dirs;
    let i = 0;
    for (let slot = 0; slot < this.usedSlots; slot++) if (dirs[slot]! >= 0) slots[i++] = slot;
    return slots;
  }

  /** The compaction of the name arena under way, if one is. */
  compactionUnderWay(): Promise<void> | undefined {
    return this.compaction;
  }

  /** Compacts the name arena in steps, pausing for the event loop between slices (the slots stay usable). */
  private async compactNames(): Promise<void> {
    const slices = new TimeSlices();
    await slices.pause();
    while (!this.names.compactStep(COMPACT_STEP)) await slices.maybePause();
  }

  private grow(capacity: number): void {
    this.columns.grow(capacity);
    this.names.growSlots(capacity);
    this.onGrow(capacity);
  }
}
