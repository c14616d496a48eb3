import path from 'node:path';
import { Logger } from '@nestjs/common';
import { TimeSlices } from '../common/time-slices.js';
import type { FileEntry } from './file-entry.js';
import { FileIndex, split, type Tally } from './file-index.js';
import { entriesOf, entryFromStats, type ScanOutput } from './scan-output.js';
import type { TreeReader } from './tree-reader.port.js';
import { PARTLY_WATCHED, type WatchCoverage, type WatchEvent, type WatchPort, type WatchSubscription } from './watch.port.js';

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
/**
 * The coalescing window: once changes stop, the tally is exact within this long. QUIET_MS after the last
 * event plus the re-list's own work; the rest is left for the watcher's latency (parcel batches ~50 ms).
 */
export const COALESCING_WINDOW_MS = 200;
/** A failed subscription is retried this many times, WATCH_RETRY_MS × attempt apart. */
export const WATCH_ATTEMPTS = 5;
export const WATCH_RETRY_MS = 50;
/** A long scan logs its progress at most this often. */
export const PROGRESS_LOG_MS = 5000;

export type WatchSetting = boolean | 'poll';

export interface MonitorListener {
  /** The tally changed (after a batch of events, a relist or a rescan). */
  onChange(monitor: TargetMonitor): void;
  /** The root vanished or was replaced by another directory after it had been seen. */
  onRootLost(monitor: TargetMonitor, reason: string): void;
  /** Watching failed (setting up the watch, or the watcher reported an error): sweeps keep the target measured. */
  onWatchProblem(monitor: TargetMonitor, error: string): void;
  /** Some directories cannot be watched (the kernel's watch limit): they are swept instead (`reason` says why). */
  onWatchLimited?(monitor: TargetMonitor, reason: string): void;
  /** Every directory is watched again after onWatchLimited. */
  onWatchCovered?(monitor: TargetMonitor): void;
}

export interface RescanResult {
  readonly previous: Tally;
  readonly current: Tally;
  readonly drift: { bytes: number; files: number };
  readonly durationMs: number;
  readonly errors: number;
}

/**
 * Keeps one target's file index exact: a full scan, then watch events applied incrementally. Events are
 * hints — every event re-reads its path, the directories it touches are re-listed at once and again when
 * things go quiet, new directories are scanned, and a watcher error triggers a rescan — so the index
 * converges to the disk even when a watcher drops events.
 */
export class TargetMonitor {
  private readonly logger = new Logger(TargetMonitor.name);
  private index = new FileIndex();
  private subscription: WatchSubscription | undefined;
  private pending: string[] = [];
  /** The one timer that applies buffered events (see QUIET_MS). */
  private applyTimer: NodeJS.Timeout | undefined;
  /** While events keep coming, the latest time (performance.now()) the current batch is applied. */
  private batchDeadline: number | undefined;
  private readonly touchedDirs = new Set<string>();
  private rootIdentity: { dev: number; ino: number } | undefined;
  private closed = false;
  private scanning: Promise<RescanResult> | undefined;
  /** While a full scan runs, events stay buffered: they are applied on top of the scan's result. */
  private scanInProgress = false;
  private restarting: Promise<void> | undefined;
  private restartAgain = false;
  /** Files found so far by the full scan in progress (for logs and health). */
  private scanProgress: { files: number; startedAt: Date } | undefined;
  /** Entries the last scan could not read (unreadable, or a path longer than the OS takes). */
  private lastScanErrors = 0;
  /** A directory moved within the target since things were last quiet: re-watch once more when they are. */
  private movedSinceQuiet = false;
  private batchesReceived = 0;
  private lastScanAt: Date | undefined;
  private eventsApplied = 0;
  private watchErrors = 0;
  /** Whether the watch last said some directories are unwatched (see onWatchCoverage). */
  private watchLimited = false;

  constructor(
    readonly id: string,
    readonly root: string,
    private readonly watchSetting: WatchSetting,
    private readonly watcher: WatchPort,
    private readonly reader: TreeReader,
    private readonly listener: MonitorListener,
  ) {}

  /** Watches first (buffering events), scans, then applies what arrived during the scan. */
  async start(): Promise<void> {
    if (this.watchSetting !== false) await this.startWatching();
    await this.rescan();
  }

  get tally(): Tally {
    return this.index.tally();
  }

  /** The current index (read-only use). */
  get files(): FileIndex {
    return this.index;
  }

  get stats(): {
    eventsApplied: number;
    watchErrors: number;
    lastScanAt: Date | undefined;
    lastScanErrors: number;
    watching: boolean;
    /** What the watch covers, from adapters that watch directory by directory. */
    coverage: WatchCoverage | undefined;
    scanning: { files: number; startedAt: Date } | undefined;
  } {
    return {
      eventsApplied: this.eventsApplied,
      watchErrors: this.watchErrors,
      lastScanAt: this.lastScanAt,
      lastScanErrors: this.lastScanErrors,
      watching: this.subscription !== undefined,
      coverage: this.subscription?.coverage?.(),
      scanning: this.scanProgress,
    };
  }

  /**
   * Full scan; the index is replaced and the difference from the incremental tally is returned as drift.
   * Joins a scan in progress, unless `fresh`: then the scan starts after this call (and after a new watch).
   */
  async rescan(fresh = false): Promise<RescanResult> {
    if (fresh) {
      while (this.scanning) await this.scanning.catch(() => undefined);
    }
    this.scanning ??= this.doRescan().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  /** Applies buffered events now (before planning a cleanup, so the plan sees the latest state). */
  flushNow(): void {
    this.flush();
  }

  /** Re-reads files after the caller changed them (deleted them, typically), in slices of the event loop. */
  async refresh(relativePaths: Iterable<string>): Promise<void> {
    const slices = new TimeSlices();
    for (const relative of relativePaths) {
      this.applyPath(relative);
      await slices.maybePause();
    }
  }

  /**
   * Re-checks planned files on disk before they are deleted: any that vanished or changed since it was
   * indexed is re-read into the index. Resolves with whether anything was stale (the plan must then be redone,
   * so that a stale tally never causes more deletion than the policy asks for). One lstat per file, in slices
   * of the event loop (50,000 files are ~0.3 s of system calls).
   */
  async refreshStale(planned: readonly FileEntry[]): Promise<boolean> {
    const slices = new TimeSlices();
    let stale = false;
    for (const entry of planned) {
      const stats = this.reader.statPath(this.root, entry.path);
      if (!stats?.isFile() || stats.ino !== entry.ino || stats.size !== entry.size || stats.mtimeMs !== entry.mtimeMs) {
        this.applyPath(entry.path);
        stale = true;
      }
      await slices.maybePause();
    }
    return stale;
  }

  /** Stops watching and timers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.applyTimer);
    await this.subscription?.close();
    this.subscription = undefined;
  }

  /**
   * Subscribes to the root. A subscription made while directories are being created and removed can fail
   * (the watcher lists the tree, then watches each directory it listed): it is retried a few times; after
   * that, sweeps keep the index exact and the next rescan tries again.
   */
  private async startWatching(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // Nothing to watch until the app creates the directory; the next sweep's rescan starts the watch.
      if (this.closed || !this.reader.statPath(this.root)?.isDirectory()) return;
      try {
        const subscription = await this.watcher.watch(this.root, this.watchSetting === 'poll' ? 'poll' : 'native', {
          onEvents: (events) => this.onEvents(events),
          onError: (error) => this.onWatchError(error),
          onCoverage: (coverage) => this.onWatchCoverage(coverage),
        });
        // Closed while the watch was being set up: nobody else will close this one.
        if (this.closed) await subscription.close();
        else {
          this.subscription = subscription;
          // A new watch (after a restart) may cover what the old one could not.
          this.onWatchCoverage(subscription.coverage?.());
        }
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= WATCH_ATTEMPTS) {
          this.watchErrors++;
          this.logger.warn(`Could not watch ${this.root} (${message}); sweeps keep it measured, the next rescan tries again`);
          this.listener.onWatchProblem(this, message);
          return;
        }
        this.logger.debug(`Watching ${this.root} failed (${message}), retrying`);
        await new Promise((resolve) => setTimeout(resolve, WATCH_RETRY_MS * attempt));
      }
    }
  }


  private async doRescan(): Promise<RescanResult> {
    // Drift compares the scan with what the incremental index says: events buffered so far are applied first, so
    // a write seen by both (its event still in the quiet window) is not drift.
    this.flush();
    this.scanInProgress = true;
    let output: ScanOutput;
    this.scanProgress = { files: 0, startedAt: new Date() };
    let lastLog = performance.now();
    try {
      output = await this.reader.scan(this.root, '', (files) => {
        this.scanProgress = { files, startedAt: this.scanProgress!.startedAt };
        if (performance.now() - lastLog >= PROGRESS_LOG_MS) {
          lastLog = performance.now();
          this.logger.log(`Scanning ${this.root}: ${files.toLocaleString('en')} files so far`);
        }
      });
    } finally {
      this.scanInProgress = false;
      this.scanProgress = undefined;
    }
    if (this.closed) {
      const tally = this.index.tally();
      return { previous: tally, current: tally, drift: { bytes: 0, files: 0 }, durationMs: output.durationMs, errors: output.errors };
    }
    this.checkRootIdentity(output);
    // The new index is built in slices of the event loop; events stay buffered meanwhile, as during the scan.
    this.scanInProgress = true;
    let next: FileIndex;
    try {
      next = await FileIndex.fromScanInSlices(output, new TimeSlices());
    } finally {
      this.scanInProgress = false;
    }
    // Events that arrived during the scan may describe changes the scan did not see: they go on top of the scan, and
    // first on top of the old index, so that neither side of the comparison counts a write the other saw.
    const during = [...this.pending];
    this.flush();
    const previous = this.index.tally();
    this.index = next;
    this.lastScanAt = new Date();
    this.lastScanErrors = output.errors;
    this.pending = [...during, ...this.pending];
    this.flush();
    if (output.rootExists && this.watchSetting !== false && !this.subscription && !this.closed) await this.startWatching();
    const current = this.index.tally();
    this.listener.onChange(this);
    return {
      previous,
      current,
      drift: { bytes: current.bytes - previous.bytes, files: current.files - previous.files },
      durationMs: output.durationMs,
      errors: output.errors,
    };
  }

  private checkRootIdentity(output: ScanOutput): void {
    if (!output.rootExists) {
      if (this.rootIdentity) this.listener.onRootLost(this, `target root ${this.root} vanished`);
      return;
    }
    const identity = { dev: output.rootDev, ino: output.rootIno };
    if (this.rootIdentity && (this.rootIdentity.dev !== identity.dev || this.rootIdentity.ino !== identity.ino)) {
      this.listener.onRootLost(this, `target root ${this.root} was replaced by another directory`);
    }
    this.rootIdentity = identity;
  }

  private onEvents(events: readonly WatchEvent[]): void {
    if (this.closed) return;
    this.batchesReceived++;
    for (const event of events) this.pending.push(event.path);
    const now = performance.now();
    this.batchDeadline ??= now + COALESCE_MS;
    this.scheduleApply(now);
  }

  /** (Re)arms the one timer: quiet QUIET_MS from now, unless the batch's deadline comes first. */
  private scheduleApply(now: number): void {
    clearTimeout(this.applyTimer);
    const quietAt = now + QUIET_MS;
    const deadline = this.batchDeadline ?? quietAt;
    this.applyTimer = setTimeout(() => this.applyPending(quietAt <= deadline), Math.max(0, Math.min(quietAt, deadline) - now));
  }

  // --- watch limit: directories the kernel refused a watch are swept by the adapter; the listener hears each spell.
  private onWatchCoverage(coverage: WatchCoverage | undefined): void {
    const limited = coverage !== undefined && coverage.directoriesUnwatched > 0;
    if (limited === this.watchLimited || this.closed) return;
    this.watchLimited = limited;
    if (limited) {
      const reason = `${PARTLY_WATCHED}: ${coverage.reason ?? 'the kernel refused a watch'}; the unwatched ones are swept every ${coverage.sweepSeconds} s`;
      this.logger.warn(`${this.root}: ${reason}`);
      this.listener.onWatchLimited?.(this, reason);
    } else {
      this.logger.log(`${this.root}: every directory is watched again`);
      this.listener.onWatchCovered?.(this);
    }
  }
  // --- end watch limit

  private onWatchError(error: Error): void {
    this.watchErrors++;
    this.logger.warn(`Watcher error on ${this.root}: ${error.message}; rescanning`);
    this.listener.onWatchProblem(this, error.message);
    void this.rescan().catch((e: unknown) => this.logger.error(`Rescan of ${this.root} failed: ${String(e)}`));
  }

  private applyPending(quiet: boolean): void {
    this.applyTimer = undefined;
    if (this.closed) return;
    this.batchDeadline = undefined;
    if (this.scanInProgress) {
      // The scan's result is applied first; the buffered events go on top of it right after.
      this.scheduleApply(performance.now());
      return;
    }
    this.flush(false);
    if (quiet && this.movedSinceQuiet) {
      // Moves during a burst can outrun any re-watch made during it; once quiet, one more settles it.
      this.movedSinceQuiet = false;
      this.restartWatchSoon();
    }
    this.reread(quiet ? QUIET_RESTAT_BUDGET : BUSY_RESTAT_BUDGET);
    this.rereadStaleLinks();
    // Still busy: directories left over are re-read at the next quiet moment.
    if (!quiet) this.scheduleApply(performance.now());
  }

  /**
   * Applies the buffered events: each distinct path is re-read, and the directories they touch are listed
   * again at once (unless `relistTouched` is false: the caller re-lists them itself right after).
   */
  private flush(relistTouched = true): void {
    if (this.closed || this.scanInProgress) return;
    const paths = new Set(this.pending);
    this.pending = [];
    if (paths.size === 0) return;
    const before = this.index.tally();
    const dirs = new Set<string>();
    for (const absolute of paths) {
      const relative = this.relative(absolute);
      if (relative === undefined) continue;
      if (relative === '') {
        dirs.add('');
        continue;
      }
      // A directory named by an event is re-listed itself too (it may be known from an older listing).
      if (this.applyPath(relative)) dirs.add(relative);
      dirs.add(split(relative)[0]);
      this.eventsApplied++;
    }
    for (const dir of dirs) {
      if (relistTouched) this.relist(dir);
      this.touchedDirs.add(dir);
    }
    this.notifyIfChanged(before);
  }

  /**
   * A hard-linked file was written through a path that then went away: the write reached no watch of its
   * other paths' directories, so those are read again.
   */
  private rereadStaleLinks(): void {
    const paths = this.index.takeStaleLinks();
    if (paths.length === 0) return;
    const before = this.index.tally();
    for (const path of paths) this.applyPath(path);
    this.notifyIfChanged(before);
  }

  /** Re-lists the directories touched since the last re-read, re-reading the files of those that fit in `budget`. */
  private reread(budget: number): void {
    if (this.touchedDirs.size === 0) return;
    const before = this.index.tally();
    let left = budget;
    for (const dir of [...this.touchedDirs]) {
      const files = this.index.namesIn(dir)?.size ?? 0;
      const deep = files <= left;
      if (deep) {
        left -= files;
        this.touchedDirs.delete(dir);
      }
      this.relist(dir, deep);
    }
    this.notifyIfChanged(before);
  }

  private notifyIfChanged(before: Tally): void {
    const after = this.index.tally();
    if (after.bytes !== before.bytes || after.files !== before.files || after.diskBytes !== before.diskBytes) this.listener.onChange(this);
  }

  /** Brings one path of the index in line with the disk. Returns whether the path is a directory. */
  private applyPath(relative: string): boolean {
    const stats = this.reader.statPath(this.root, relative);
    if (stats?.isFile()) {
      if (this.rootIdentity && stats.dev !== this.rootIdentity.dev) return false;
      this.index.upsert(entryFromStats(relative, stats));
    } else if (stats?.isDirectory()) {
      this.index.remove(relative);
      if (!this.index.hasDir(relative)) this.mergeSubtree(relative);
      // Known from an older listing: make sure it is watched before it is listed again.
      else this.subscription?.directoryFound?.(this.absolute(relative));
      return true;
    } else {
      // Gone, or no longer a regular file (a symlink, a fifo): not part of the tally.
      if (!this.index.remove(relative)) this.index.removeSubtree(relative);
    }
    return false;
  }

  /** Lists a directory and reconciles its direct entries with the index; `reread`: its known files are re-read too. */
  private relist(dir: string, reread = false): void {
    const entries = this.reader.listDirectory(this.root, dir);
    if (!entries) {
      if (dir !== '') this.index.removeSubtree(dir);
      return;
    }
    const known = this.index.namesIn(dir);
    const present = new Set<string>();
    for (const entry of entries) {
      present.add(entry.name);
      const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!this.index.hasDir(relative)) this.mergeSubtree(relative);
      } else if (!known?.has(entry.name) && entry.isFile()) {
        this.applyPath(relative);
      } else if (reread && entry.isFile()) {
        this.applyPath(relative);
      } else if (known?.has(entry.name) && !entry.isFile()) {
        this.index.remove(relative);
      }
    }
    if (known) {
      for (const name of [...known.keys()]) {
        if (!present.has(name)) this.index.remove(dir === '' ? name : `${dir}/${name}`);
      }
    }
    for (const sub of this.index.subdirectoriesOf(dir)) {
      if (!present.has(split(sub)[1])) this.index.removeSubtree(sub);
    }
    this.index.ensureDir(dir);
  }

  /**
   * Scans a directory that appeared (in-thread: new directories are small) into the index. A directory
   * that arrives with subdirectories was most likely moved in; native watchers keep reporting such moved
   * subdirectories under their old paths, so the watch is re-established and the target rescanned.
   */
  private mergeSubtree(relative: string): void {
    // Watched first (when the watcher goes directory by directory), so nothing falls between scan and watch.
    this.subscription?.directoryFound?.(this.absolute(relative));
    const output = this.reader.scanNow(this.root, relative);
    this.index.ensureDir(relative);
    for (const dir of output.dirs) this.index.ensureDir(dir);
    for (const entry of entriesOf(output)) this.index.upsert(entry);
    if (output.directories > 1 && this.subscription?.staleAfterDirectoryMove) {
      this.movedSinceQuiet = true;
      this.restartWatchSoon();
    }
  }

  private restartWatchSoon(): void {
    if (this.closed) return;
    if (this.restarting) {
      // A move during a restart may postdate its new watch: one more round after this one.
      this.restartAgain = true;
      return;
    }
    this.restarting = (async () => {
      do {
        this.restartAgain = false;
        const batchesBefore = this.batchesReceived;
        const old = this.subscription;
        this.subscription = undefined;
        // The old watch closes first: the native module shares its directory tree between subscriptions of
        // one root, so a new one opened beside the old would inherit the stale tree. Changes made between
        // the two are picked up by the fresh rescan that follows.
        await old?.close();
        await this.startWatching();
        await this.rescan(true);
        // The watcher lists the tree, then watches each directory it listed: a directory created in between
        // goes unwatched. If anything changed meanwhile, one more round once things are quiet settles it.
        if (this.batchesReceived !== batchesBefore) this.movedSinceQuiet = true;
      } while (this.restartAgain && !this.closed);
    })()
      .catch((error: unknown) => this.logger.error(`Re-watching ${this.root} failed: ${String(error)}`))
      .finally(() => (this.restarting = undefined));
  }

  private relative(absolute: string): string | undefined {
    if (absolute === this.root) return '';
    const relative = path.relative(this.root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return relative.split(path.sep).join('/');
  }

  private absolute(relative: string): string {
    return relative === '' ? this.root : `${this.root}/${relative}`;
  }
}
