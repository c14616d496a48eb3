import type { TimeSlices } from '../common/time-slices.js';
import type { OrderKey } from './file-view.js';
import { sortSteps } from './radix-sort.js';

/**
 * One order over the slots of a FileIndex, kept as files come and go, so that a policy reads the first k files
 * of an n-file target in about O(k + log n) instead of sorting all n.
 *
 * The shape is a sorted list of blocks (each an Int32Array of up to BLOCK slots, in order; blocks in order): an
 * insert or a removal finds its block by binary search over the blocks' first slots, then its place by binary
 * search inside the block, and moves at most BLOCK slots. That is O(log n) comparisons for any pattern of
 * changes, with no amortised rebuild, about 4–8 bytes per file, and no objects per file. Chosen over two others:
 * - a sorted array with an append buffer and lazy tombstones is as cheap while files arrive newest last (the
 *   camera case), but every out-of-order arrival — the size order, where a growing segment moves on every
 *   write, or a copied-in old file — goes to the buffer, whose merge costs O(n) (a 1M-slot copy per merge)
 *   and whose tombstones need a position per slot (4 more bytes) and a generation against slot reuse;
 * - a B-tree or skip list gives the same O(log n) with more bookkeeping per node, or an object per file.
 * The newest-arrives-last case is still O(1): an insert after the last slot appends to the last block (a full
 * last block starts a new one, so such a list stays full: 4 bytes per file). Deleting the oldest removes the head
 * of the first block (a move of at most 4 KB). BLOCK = 1024 keeps that move well under a microsecond and the
 * block list at ~1,000 entries for 1M files.
 *
 * Slot figures are read through `SlotOrder`: a removal must be made while the slot still holds the figures it was
 * inserted with (the index removes before it writes, and inserts after).
 */
export interface SlotOrder {
  /** Ascending primary key of a slot (mtime, ctime, or -size for largest first). */
  key(slot: number): number;
  /** Order of two slots of equal key; 0 only for the same slot (paths are unique). */
  tie(a: number, b: number): number;
}

export const BLOCK = 1024;
/** A step of a build: 4,096 slots between two points where the event loop may be let in. */
const STEP_MASK = 0xfff;

interface Block {
  readonly items: Int32Array;
  length: number;
}

export class OrderedSlots {
  private blocks: Block[] = [];
  private count = 0;
  /** Changes on every insert and removal, so that an iteration can tell the order changed under it. */
  private version = 0;
  /** A block below this is joined with its neighbour when both fit in one. */
  private readonly low: number;

  /** `block`: slots per block (specs use small blocks to exercise splits and joins). */
  constructor(
    private readonly order: SlotOrder,
    private readonly block = BLOCK,
  ) {
    this.low = Math.max(1, block >> 3);
  }

  /** The order over `slots` (distinct), sorted once: O(n log n), made lazily the first time a key is used. */
  static build(order: SlotOrder, slots: Int32Array, block = BLOCK): OrderedSlots {
    const steps = OrderedSlots.steps(order, slots, block);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /** The same order as build(), made in slices of the event loop (a 1M-file order is a few hundred ms of work). */
  static async buildInSlices(order: SlotOrder, slots: Int32Array, slices: TimeSlices, block = BLOCK): Promise<OrderedSlots> {
    const steps = OrderedSlots.steps(order, slots, block);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      await slices.maybePause();
    }
  }

  /** build() as steps: it yields every few thousand slots, where a caller may let the event loop in. */
  private static *steps(order: SlotOrder, slots: Int32Array, block: number): Generator<void, OrderedSlots> {
    const result = new OrderedSlots(order, block);
    const n = slots.length;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const key = order.key(slots[i]!);
      keys[i] = key === 0 ? 0 : key; // -0 (size 0) and 0 are one key
      if ((i & STEP_MASK) === STEP_MASK) yield;
    }
    const positions = yield* sortSteps(keys);
    // Equal keys, in runs: ordered by path.
    for (let i = 0, sinceYield = 0; i < n; ) {
      let j = i + 1;
      while (j < n && keys[positions[j]!] === keys[positions[i]!]) j++;
      if (j - i > 1) positions.subarray(i, j).sort((a, b) => order.tie(slots[a]!, slots[b]!));
      sinceYield += j - i;
      i = j;
      if (sinceYield > STEP_MASK) {
        sinceYield = 0;
        yield;
      }
    }
    for (let start = 0; start < n; start += block) {
      const items = new Int32Array(block);
      const end = Math.min(n, start + block);
      for (let i = start; i < end; i++) items[i - start] = slots[positions[i]!]!;
      result.blocks.push({ items, length: end - start });
      if (((start / block) & 7) === 7) yield;
    }
    result.count = n;
    return result;
  }

  /**
   * Takes `changed` slots out of an order just built from an older list of slots, and puts back in, at their
   * current figures, those that are live now (true in `changed`): what changed in the index while it was built.
   */
  settle(changed: ReadonlyMap<number, boolean>): void {
    if (changed.size === 0) return;
    const kept: Block[] = [];
    let current: Block | undefined;
    for (const { items, length } of this.blocks) {
      for (let i = 0; i < length; i++) {
        const slot = items[i]!;
        if (changed.has(slot)) continue;
        if (!current || current.length === this.block) kept.push((current = { items: new Int32Array(this.block), length: 0 }));
        current.items[current.length++] = slot;
      }
    }
    this.blocks = kept;
    this.count = kept.reduce((sum, b) => sum + b.length, 0);
    this.version++;
    for (const [slot, live] of changed) if (live) this.insert(slot);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the blocks. */
  get byteLength(): number {
    return this.blocks.reduce((sum, b) => sum + b.items.byteLength, 0);
  }

  compare(a: number, b: number): number {
    const ka = this.order.key(a);
    const kb = this.order.key(b);
    return ka < kb ? -1 : ka > kb ? 1 : this.order.tie(a, b);
  }

  insert(slot: number): void {
    this.version++;
    this.count++;
    const blocks = this.blocks;
    const last = blocks[blocks.length - 1];
    if (!last) {
      blocks.push(this.single(slot));
      return;
    }
    // Newest arrives last: an append, O(1).
    if (this.compare(slot, last.items[last.length - 1]!) > 0) {
      if (last.length < this.block) last.items[last.length++] = slot;
      else blocks.push(this.single(slot));
      return;
    }
    const b = this.blockFor(slot);
    const block = blocks[b]!;
    const at = this.placeIn(block, slot);
    if (block.length === this.block) {
      // Split in halves, then insert into the half it belongs to.
      const half = this.block >> 1;
      const right: Block = { items: new Int32Array(this.block), length: this.block - half };
      right.items.set(block.items.subarray(half));
      block.length = half;
      blocks.splice(b + 1, 0, right);
      if (at <= half) insertAt(block, at, slot);
      else insertAt(right, at - half, slot);
      return;
    }
    insertAt(block, at, slot);
  }

  /** Removes a slot, which must still hold the figures it was inserted with. Returns whether it was there. */
  remove(slot: number): boolean {
    const blocks = this.blocks;
    if (blocks.length === 0) return false;
    const b = this.blockFor(slot);
    const block = blocks[b]!;
    const at = this.placeIn(block, slot);
    if (at >= block.length || block.items[at] !== slot) return false;
    this.version++;
    this.count--;
    block.items.copyWithin(at, at + 1, block.length);
    block.length--;
    if (block.length === 0) blocks.splice(b, 1);
    else if (block.length < this.low) this.joinSmall(b);
    return true;
  }

  /** The first slot in order (-1 when empty). */
  first(): number {
    return this.blocks.length === 0 ? -1 : this.blocks[0]!.items[0]!;
  }

  /** The last slot in order (-1 when empty). */
  last(): number {
    const block = this.blocks[this.blocks.length - 1];
    return block ? block.items[block.length - 1]! : -1;
  }

  /** Slots in order, or in reverse order. Throws if the order changes during the iteration. */
  *slots(reverse = false): Generator<number> {
    const version = this.version;
    const blocks = this.blocks;
    if (!reverse) {
      for (let b = 0; b < blocks.length; b++) {
        const block = blocks[b]!;
        for (let i = 0; i < block.length; i++) {
          yield block.items[i]!;
          if (this.version !== version) throw new Error('the file index changed during an ordered read');
        }
      }
      return;
    }
    for (let b = blocks.length - 1; b >= 0; b--) {
      const block = blocks[b]!;
      for (let i = block.length - 1; i >= 0; i--) {
        yield block.items[i]!;
        if (this.version !== version) throw new Error('the file index changed during an ordered read');
      }
    }
  }

  /** Index of the block a slot belongs in: the last whose first slot is not after it (0 when none). */
  private blockFor(slot: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.compare(this.blocks[mid]!.items[0]!, slot) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First position in `block` whose slot is not before `slot`. */
  private placeIn(block: Block, slot: number): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(block.items[mid]!, slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private single(slot: number): Block {
    const items = new Int32Array(this.block);
    items[0] = slot;
    return { items, length: 1 };
  }

  /** Joins a small block with a neighbour when both fit in one, so that deletions never leave many near-empty blocks. */
  private joinSmall(b: number): void {
    const blocks = this.blocks;
    const left = b > 0 && blocks[b - 1]!.length + blocks[b]!.length <= this.block ? b - 1 : b;
    const right = left + 1;
    if (right >= blocks.length) return;
    const into = blocks[left]!;
    const from = blocks[right]!;
    if (into.length + from.length > this.block) return;
    into.items.set(from.items.subarray(0, from.length), into.length);
    into.length += from.length;
    blocks.splice(right, 1);
  }
}

function insertAt(block: Block, at: number, slot: number): void {
  block.items.copyWithin(at + 1, at, block.length);
  block.items[at] = slot;
  block.length++;
}

/** Figures of slots for every key: the index's columns. */
export interface SlotFigures {
  key(key: OrderKey, slot: number): number;
  tie(a: number, b: number): number;
}

/** The orders an index keeps: one per key read so far, each kept through every insert and removal after. */
export class SlotOrders {
  private readonly orders = new Map<OrderKey, OrderedSlots>();
  /** Orders being built in slices, each with the slots changed since its build began (true: live now). */
  private readonly building = new Map<OrderKey, Map<number, boolean>>();
  /** The builds in slices under way: a second caller waits for the same one. */
  private readonly builds = new Map<OrderKey, Promise<void>>();

  constructor(private readonly figures: SlotFigures) {}

  /** The order of `key`, built from `liveSlots` on its first use. */
  of(key: OrderKey, liveSlots: () => Int32Array): OrderedSlots {
    let order = this.orders.get(key);
    if (!order) {
      const figures = this.figures;
      order = OrderedSlots.build({ key: (slot) => figures.key(key, slot), tie: (a, b) => figures.tie(a, b) }, liveSlots());
      this.orders.set(key, order);
    }
    return order;
  }

  /**
   * Builds the order of `key` ahead of its first read, in slices of the event loop. The index may change
   * meanwhile: every slot inserted or removed during the build is noted (whether it ends live), and settled
   * into the order once it is built, before it is kept. A caller while it is built waits for that build, so the
   * order is there to read once prepare() resolves (read before, it would be built again at once: seconds of the
   * event loop at 10M files); a key read meanwhile without waiting is built at once as before.
   */
  prepare(key: OrderKey, liveSlots: () => Int32Array, slices: TimeSlices): Promise<void> {
    if (this.orders.has(key)) return Promise.resolve();
    let build = this.builds.get(key);
    if (!build) {
      build = this.build(key, liveSlots, slices).finally(() => this.builds.delete(key));
      this.builds.set(key, build);
    }
    return build;
  }

  private async build(key: OrderKey, liveSlots: () => Int32Array, slices: TimeSlices): Promise<void> {
    const changed = new Map<number, boolean>();
    this.building.set(key, changed);
    try {
      const figures = this.figures;
      const order = await OrderedSlots.buildInSlices({ key: (slot) => figures.key(key, slot), tie: (a, b) => figures.tie(a, b) }, liveSlots(), slices);
      if (this.orders.has(key)) return;
      order.settle(changed);
      this.orders.set(key, order);
    } finally {
      this.building.delete(key);
    }
  }

  /** Bytes held by the orders kept. */
  get byteLength(): number {
    let bytes = 0;
    for (const order of this.orders.values()) bytes += order.byteLength;
    return bytes;
  }

  /** The order of `key` if it is kept. */
  built(key: OrderKey): OrderedSlots | undefined {
    return this.orders.get(key);
  }

  insert(slot: number): void {
    for (const order of this.orders.values()) order.insert(slot);
    for (const changed of this.building.values()) changed.set(slot, true);
  }

  remove(slot: number): void {
    for (const order of this.orders.values()) order.remove(slot);
    for (const changed of this.building.values()) changed.set(slot, false);
  }
}
