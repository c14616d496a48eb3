import path from 'node:path';
import { TimeSlices } from '../common/time-slices.js';
import { FileIndex, split, type Tally } from './file-index.js';
import type { MonitorWatch } from './monitor-watch.js';
import { entriesOf, entryFromStats } from './scan-output.js';
import type { TreeReader } from './tree-reader.port.js';
import type { WatchEvent } from './watch.port.js';

/**
 * Watch events are applied once none has arrived for QUIET_MS, or at the latest COALESCE_MS after the first
 * of a batch while they keep coming. Applying re-reads every path named, then re-lists the directories
 * touched since the last application and re-reads their files (the whole of a directory, as long as it fits
 * in the budget: QUIET_RESTAT_BUDGET files when quiet, BUSY_RESTAT_BUDGET while events keep coming; a
 * directory that does not fit is only listed, and re-read at the next quiet moment). That catches what a
 * watcher lost: creations, deletions, size changes.
 */
export const QUIET_MS = 25;
export const COALESCE_MS = 100;
export const QUIET_RESTAT_BUDGET = 20_000;
export const BUSY_RESTAT_BUDGET = 2_000;

/** What the event application needs of its monitor. */
export interface ApplicationContext {
  readonly root: string;
  readonly reader: TreeReader;
  readonly watch: MonitorWatch;
  /** The monitor's current index (replaced by a rescan). */
  index(): FileIndex;
  /** The root's device once seen: files of another device (a mount inside) are not counted. */
  rootDev(): number | undefined;
  /** While a full scan runs (or its index is built), events stay buffered. */
  scanning(): boolean;
  closed(): boolean;
  /** The tally changed. */
  changed(): void;
}

/**
 * Applies a target's watch events to its index. Events are hints — every event re-reads its path, the
 * directories it touches are re-listed at once and again when things go quiet, new directories are scanned —
 * so the index converges to the disk even when a watcher drops events. A timed application runs in slices of
 * the event loop (a cleanup's 50,000 deletions arrive as 50,000 events); a synchronous one (before a plan, around
 * a rescan) first finishes the sliced one in progress, so both work on one queue and nothing is applied twice
 * or skipped.
 */
export class EventApplication {
  private pending: WatchEvent[] = [];
  /** The one timer that applies buffered events (see QUIET_MS). */
  private applyTimer: NodeJS.Timeout | undefined;
  /** While events keep coming, the latest time (performance.now()) the current batch is applied. */
  private batchDeadline: number | undefined;
  private readonly touchedDirs = new Set<string>();
  /** The timed application in progress, suspended between slices. */
  private inFlight: Generator<void, void> | undefined;
  /**
   * Callers (settle, flush) waiting for the timed application in progress. Its re-read of touched directories, the
   * safety net for events a watcher lost, stops at its next step then and goes on at the next timed application:
   * a cleanup waits for the events to be applied, not for a thousand files of its directory to be read again.
   */
  private hurried = 0;
  eventsApplied = 0;

  constructor(private readonly ctx: ApplicationContext) {}

  /** A batch from the watcher: buffered, applied when quiet or at the batch's deadline. */
  receive(events: readonly WatchEvent[]): void {
    if (this.ctx.closed()) return;
    for (const event of events) this.pending.push(event);
    const now = performance.now();
    this.batchDeadline ??= now + COALESCE_MS;
    this.schedule(now);
  }

  /**
   * Takes the buffered events out (a rescan compares against the index with them applied, then applies them
   * again on top of the scan: see TargetMonitor.doRescan).
   */
  buffered(): WatchEvent[] {
    return [...this.pending];
  }

  /** Puts events back in front of those buffered since. */
  requeue(events: readonly WatchEvent[]): void {
    this.pending = [...events, ...this.pending];
  }

  /**
   * Applies the buffered events now, at once: each distinct path is re-read, and the directories they touch are
   * listed again. A timed application in progress is finished first.
   */
  flush(): void {
    this.finishInFlight();
    drain(this.applySteps(true));
  }

  /**
   * Applies what is buffered now, in slices of the event loop: the timed application in progress is finished (its
   * events applied; its re-read of touched directories cut short, to go on later), then the events buffered at that
   * moment are applied and their directories listed again. Events that arrive meanwhile wait for the next timed
   * application. A timed application does not start while this runs.
   */
  async settle(): Promise<void> {
    const slices = new TimeSlices();
    // The application in progress (timed, or another settle's) is driven to its end, never replaced: its events have
    // left the buffer. Ours starts only when none is in progress, so a timed one cannot start beside it.
    let own: Generator<void, void> | undefined;
    this.hurried++;
    try {
      for (;;) {
        let steps = this.inFlight;
        if (!steps && !own) steps = own = this.applySteps(true);
        if (!steps) return;
        this.inFlight = steps;
        try {
          // A synchronous flush meanwhile may have finished these steps (or close() dropped them).
          while (this.inFlight === steps && !steps.next().done) {
            if (slices.due()) await slices.pause();
          }
        } finally {
          if (this.inFlight === steps) this.inFlight = undefined;
        }
        if (steps === own) return;
      }
    } finally {
      this.hurried--;
    }
  }

  /** Brings one path of the index in line with the disk. Returns whether the path is a directory. */
  applyPath(relative: string): boolean {
    const index = this.ctx.index();
    const stats = this.ctx.reader.statPath(this.ctx.root, relative);
    if (stats?.isFile()) {
      const dev = this.ctx.rootDev();
      if (dev !== undefined && stats.dev !== dev) return false;
      index.upsert(entryFromStats(relative, stats));
    } else if (stats?.isDirectory()) {
      index.remove(relative);
      if (!index.hasDir(relative)) this.mergeSubtree(relative);
      // Known from an older listing: make sure it is watched before it is listed again.
      else this.ctx.watch.directoryFound(this.absolute(relative));
      return true;
    } else {
      // Gone, or no longer a regular file (a symlink, a fifo): not part of the tally.
      if (!index.remove(relative)) index.removeSubtree(relative);
    }
    return false;
  }

  close(): void {
    clearTimeout(this.applyTimer);
    this.inFlight = undefined;
  }

  /** (Re)arms the one timer: quiet QUIET_MS from now, unless the batch's deadline comes first. */
  private schedule(now: number): void {
    clearTimeout(this.applyTimer);
    const quietAt = now + QUIET_MS;
    const deadline = this.batchDeadline ?? quietAt;
    this.applyTimer = setTimeout(() => void this.applyPending(quietAt <= deadline), Math.max(0, Math.min(quietAt, deadline) - now));
  }

  private async applyPending(quiet: boolean): Promise<void> {
    this.applyTimer = undefined;
    if (this.ctx.closed()) return;
    this.batchDeadline = undefined;
    if (this.ctx.scanning() || this.inFlight) {
      // The scan's result (or the application in progress) comes first; the buffered events go on top right after.
      this.schedule(performance.now());
      return;
    }
    const steps = this.timedSteps(quiet);
    this.inFlight = steps;
    const slices = new TimeSlices();
    try {
      // A synchronous flush or a settle() meanwhile may have taken these steps over (or close() dropped them).
      while (this.inFlight === steps && !steps.next().done) {
        if (slices.due()) await slices.pause();
      }
    } finally {
      if (this.inFlight === steps) this.inFlight = undefined;
    }
  }

  private *timedSteps(quiet: boolean): Generator<void, void> {
    yield* this.applySteps(false);
    if (quiet) this.ctx.watch.quiet();
    const finished = yield* this.rereadSteps(quiet ? QUIET_RESTAT_BUDGET : BUSY_RESTAT_BUDGET);
    this.rereadStaleLinks();
    // Still busy, or the re-read cut short for a waiting caller: directories left over are re-read next time.
    if ((!quiet || !finished) && !this.ctx.closed()) this.schedule(performance.now());
  }

  private finishInFlight(): void {
    const steps = this.inFlight;
    this.inFlight = undefined;
    if (!steps) return;
    this.hurried++;
    try {
      drain(steps);
    } finally {
      this.hurried--;
    }
  }

  /**
   * The buffered events, one step per path: each distinct path is re-read, and the directories they touch are
   * listed again at once (unless `relistTouched` is false: the timed application re-lists them itself right after).
   * A deletion of a path the index does not hold (the cleanup that made it has taken it out already) is not read
   * again: its directory is listed again all the same, which finds the path if it came back.
   */
  private *applySteps(relistTouched: boolean): Generator<void, void> {
    if (this.ctx.closed() || this.ctx.scanning()) return;
    const events = this.pending;
    this.pending = [];
    if (events.length === 0) return;
    const before = this.ctx.index().tally();
    const dirs = new Set<string>();
    // Each distinct path once; whether every event about it was a deletion.
    const onlyDeleted = new Map<string, boolean>();
    for (const event of events) onlyDeleted.set(event.path, (onlyDeleted.get(event.path) ?? true) && event.kind === 'delete');
    for (const [absolute, deleted] of onlyDeleted) {
      const relative = this.relative(absolute);
      if (relative === undefined) continue;
      if (relative === '') {
        dirs.add('');
        continue;
      }
      const index = this.ctx.index();
      const known = !deleted || index.has(relative) || index.hasDir(relative);
      // A directory named by an event is re-listed itself too (it may be known from an older listing).
      if (known && this.applyPath(relative)) dirs.add(relative);
      dirs.add(split(relative)[0]);
      this.eventsApplied++;
      yield;
    }
    for (const dir of dirs) {
      this.touchedDirs.add(dir);
      if (relistTouched) {
        this.relist(dir);
        yield;
      }
    }
    this.notifyIfChanged(before);
  }

  /**
   * A hard-linked file was written through a path that then went away: the write reached no watch of its
   * other paths' directories, so those are read again.
   */
  private rereadStaleLinks(): void {
    const paths = this.ctx.index().takeStaleLinks();
    if (paths.length === 0) return;
    const before = this.ctx.index().tally();
    for (const path of paths) this.applyPath(path);
    this.notifyIfChanged(before);
  }

  /**
   * Re-lists the directories touched since the last re-read, re-reading the files of those that fit in `budget`.
   * Returns false when it stopped early for a waiting caller (see `hurried`): what is left stays touched.
   */
  private *rereadSteps(budget: number): Generator<void, boolean> {
    if (this.touchedDirs.size === 0) return true;
    const before = this.ctx.index().tally();
    let left = budget;
    let finished = true;
    for (const dir of [...this.touchedDirs]) {
      if (this.hurried > 0) {
        finished = false;
        break;
      }
      const files = this.ctx.index().namesIn(dir)?.size ?? 0;
      const deep = files <= left;
      if (deep) {
        left -= files;
        this.touchedDirs.delete(dir);
      }
      if (!(yield* this.relistSteps(dir, deep, true))) {
        this.touchedDirs.add(dir);
        finished = false;
        break;
      }
    }
    this.notifyIfChanged(before);
    return finished;
  }

  private notifyIfChanged(before: Tally): void {
    const after = this.ctx.index().tally();
    if (after.bytes !== before.bytes || after.files !== before.files || after.diskBytes !== before.diskBytes) this.ctx.changed();
  }

  private relist(dir: string, reread = false): void {
    drain(this.relistSteps(dir, reread));
  }

  /**
   * Lists a directory and reconciles its direct entries with the index; `reread`: its known files are re-read too.
   * One step per file read (a deep re-read of a large directory is thousands of lstat calls). `yieldsToWaiting`:
   * stops between entries once a caller waits (see `hurried`), and returns false; the directory is to be read again.
   */
  private *relistSteps(dir: string, reread: boolean, yieldsToWaiting = false): Generator<void, boolean> {
    const entries = this.ctx.reader.listDirectory(this.ctx.root, dir);
    const index = this.ctx.index();
    if (!entries) {
      if (dir !== '') index.removeSubtree(dir);
      return true;
    }
    const present = new Set<string>();
    for (const entry of entries) {
      if (yieldsToWaiting && this.hurried > 0) return false;
      present.add(entry.name);
      const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
      const known = index.namesIn(dir);
      if (entry.isDirectory()) {
        if (!index.hasDir(relative)) this.mergeSubtree(relative);
      } else if (!known?.has(entry.name) && entry.isFile()) {
        this.applyPath(relative);
      } else if (reread && entry.isFile()) {
        this.applyPath(relative);
      } else if (known?.has(entry.name) && !entry.isFile()) {
        index.remove(relative);
      }
      yield;
    }
    // The index may have been replaced while this was suspended (a rescan finishes in-flight steps first, so it is not).
    const known = index.namesIn(dir);
    if (known) {
      for (const name of [...known.keys()]) {
        if (!present.has(name)) index.remove(dir === '' ? name : `${dir}/${name}`);
      }
    }
    for (const sub of index.subdirectoriesOf(dir)) {
      if (!present.has(split(sub)[1])) index.removeSubtree(sub);
    }
    index.ensureDir(dir);
    return true;
  }

  /**
   * Scans a directory that appeared (in-thread: new directories are small) into the index. A directory
   * that arrives with subdirectories was most likely moved in; native watchers keep reporting such moved
   * subdirectories under their old paths, so the watch is re-established and the target rescanned.
   */
  private mergeSubtree(relative: string): void {
    // Watched first (when the watcher goes directory by directory), so nothing falls between scan and watch.
    this.ctx.watch.directoryFound(this.absolute(relative));
    const output = this.ctx.reader.scanNow(this.ctx.root, relative);
    const index = this.ctx.index();
    index.ensureDir(relative);
    for (const dir of output.dirs) index.ensureDir(dir);
    for (const entry of entriesOf(output)) index.upsert(entry);
    if (output.directories > 1) this.ctx.watch.directoryMovedIn();
  }

  private relative(absolute: string): string | undefined {
    const root = this.ctx.root;
    if (absolute === root) return '';
    const relative = path.relative(root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return relative.split(path.sep).join('/');
  }

  private absolute(relative: string): string {
    return relative === '' ? this.ctx.root : `${this.ctx.root}/${relative}`;
  }
}

function drain(steps: Generator<void, unknown>): void {
  while (!steps.next().done);
}
