import { Logger } from '@nestjs/common';
import { TimeSlices } from '../common/time-slices.js';
import { EventApplication } from './event-application.js';
import type { FileEntry } from './file-entry.js';
import { FileIndex, type Tally } from './file-index.js';
import { MonitorWatch, type WatchSetting } from './monitor-watch.js';
import type { ScanOutput } from './scan-output.js';
import type { TreeReader } from './tree-reader.port.js';
import { PARTLY_WATCHED, type WatchCoverage, type WatchPort } from './watch.port.js';

export { BUSY_RESTAT_BUDGET, COALESCE_MS, QUIET_MS, QUIET_RESTAT_BUDGET } from './event-application.js';
export { WATCH_ATTEMPTS, WATCH_RETRY_MS, type WatchSetting } from './monitor-watch.js';

/**
 * The coalescing window: once changes stop, the tally is exact within this long. QUIET_MS after the last
 * event plus the re-list's own work; the rest is left for the watcher's latency (parcel batches ~50 ms).
 */
export const COALESCING_WINDOW_MS = 200;
/** A long scan logs its progress at most this often. */
export const PROGRESS_LOG_MS = 5000;

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
 * Keeps one target's file index exact: a full scan, then watch events applied incrementally (the watch in
 * monitor-watch.ts, the events' application in event-application.ts); a watcher error triggers a rescan, and
 * sweeps rescan to reconcile.
 */
export class TargetMonitor {
  private readonly logger = new Logger(TargetMonitor.name);
  private index = new FileIndex();
  private readonly watch: MonitorWatch;
  private readonly events: EventApplication;
  private rootIdentity: { dev: number; ino: number } | undefined;
  private closed = false;
  private scanning: Promise<RescanResult> | undefined;
  /** While a full scan runs, events stay buffered: they are applied on top of the scan's result. */
  private scanInProgress = false;
  /** Files found so far by the full scan in progress (for logs and health). */
  private scanProgress: { files: number; startedAt: Date } | undefined;
  /** Entries the last scan could not read (unreadable, or a path longer than the OS takes). */
  private lastScanErrors = 0;
  private lastScanAt: Date | undefined;
  /** Whether the watch last said some directories are unwatched (see onWatchCoverage). */
  private watchLimited = false;

  constructor(
    readonly id: string,
    readonly root: string,
    watchSetting: WatchSetting,
    watcher: WatchPort,
    private readonly reader: TreeReader,
    private readonly listener: MonitorListener,
  ) {
    this.watch = new MonitorWatch(root, watchSetting, watcher, reader, {
      onEvents: (events) => this.events.receive(events),
      onError: (error) => this.onWatchError(error),
      onProblem: (message) => this.listener.onWatchProblem(this, message),
      onCoverage: (coverage) => this.onWatchCoverage(coverage),
      rescanFresh: () => this.rescan(true),
      closed: () => this.closed,
    });
    this.events = new EventApplication({
      root,
      reader,
      watch: this.watch,
      index: () => this.index,
      rootDev: () => this.rootIdentity?.dev,
      scanning: () => this.scanInProgress,
      closed: () => this.closed,
      changed: () => this.listener.onChange(this),
    });
  }

  /** Watches first (buffering events), scans, then applies what arrived during the scan. */
  async start(): Promise<void> {
    if (this.watch.enabled) await this.watch.start();
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
      eventsApplied: this.events.eventsApplied,
      watchErrors: this.watch.errors,
      lastScanAt: this.lastScanAt,
      lastScanErrors: this.lastScanErrors,
      watching: this.watch.watching,
      coverage: this.watch.coverage,
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

  /** Applies buffered events now, at once. */
  flushNow(): void {
    this.events.flush();
  }

  /** Applies buffered events now, in slices of the event loop (before planning a cleanup, so the plan sees the latest state). */
  async settle(): Promise<void> {
    await this.events.settle();
  }

  /**
   * The caller deleted these files itself (the cleanup's safe deleter unlinked them): while the target is watched
   * they leave the index without being read again, so neither this nor their deletion events, when those arrive,
   * cost a system call. Only an entry that is still the file deleted (same inode and change time) goes; a path
   * written again since is left to its own events. Unwatched, each path is read again.
   */
  async forgetDeleted(deleted: readonly FileEntry[]): Promise<void> {
    const slices = new TimeSlices();
    for (const entry of deleted) {
      if (!this.watch.watching) {
        this.events.applyPath(entry.path);
      } else {
        const now = this.index.get(entry.path);
        if (now && now.ino === entry.ino && now.dev === entry.dev && now.ctimeMs === entry.ctimeMs) this.index.remove(entry.path);
      }
      await slices.maybePause();
    }
  }

  /** Re-reads files after the caller changed them (deleted them, typically), in slices of the event loop. */
  async refresh(relativePaths: Iterable<string>): Promise<void> {
    const slices = new TimeSlices();
    for (const relative of relativePaths) {
      this.events.applyPath(relative);
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
        this.events.applyPath(entry.path);
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
    this.events.close();
    await this.watch.close();
  }

  private async doRescan(): Promise<RescanResult> {
    // Drift compares the scan with what the incremental index says: events buffered so far are applied first, so
    // a write seen by both (its event still in the quiet window) is not drift. Events that arrive while this settles
    // are still buffered when the scan starts: they go on top of both sides below.
    await this.events.settle();
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
    // first on top of the old index, so that neither side of the comparison counts a write the other saw (at once:
    // nothing may arrive between the two sides).
    const during = this.events.buffered();
    this.events.flush();
    const previous = this.index.tally();
    this.index = next;
    this.lastScanAt = new Date();
    this.lastScanErrors = output.errors;
    this.events.requeue(during);
    await this.events.settle();
    if (output.rootExists && this.watch.enabled && !this.watch.watching && !this.closed) await this.watch.start();
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

  /** The watch limit: directories the kernel refused a watch are swept by the adapter; the listener hears each spell. */
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

  private onWatchError(error: Error): void {
    this.logger.warn(`Watcher error on ${this.root}: ${error.message}; rescanning`);
    this.listener.onWatchProblem(this, error.message);
    void this.rescan().catch((e: unknown) => this.logger.error(`Rescan of ${this.root} failed: ${String(e)}`));
  }
}
