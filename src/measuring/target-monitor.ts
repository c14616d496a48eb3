import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { WatchEvent, WatchPort, WatchSubscription } from '../watching/watch.port.js';
import { entriesOf, entryFromStats, type ScanOutput } from './scanner.js';
import { FileIndex, split, type Tally } from './file-index.js';
import type { ScanRunner } from './scan-runner.js';

/** Watch events are applied in batches at most this long after the first one arrives. */
export const COALESCE_MS = 100;
/** Directories touched by events are listed once more this long after the last event (catches lost events). */
export const QUIET_RELIST_MS = 250;
/** A long scan logs its progress at most this often. */
export const PROGRESS_LOG_MS = 5000;

export type WatchSetting = boolean | 'poll';

export interface MonitorListener {
  /** The tally changed (after a batch of events, a relist or a rescan). */
  onChange(monitor: TargetMonitor): void;
  /** The root vanished or was replaced by another directory after it had been seen. */
  onRootLost(monitor: TargetMonitor, reason: string): void;
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
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly quietDirs = new Set<string>();
  private quietTimer: NodeJS.Timeout | undefined;
  private rootIdentity: { dev: number; ino: number } | undefined;
  private closed = false;
  private scanning: Promise<RescanResult> | undefined;
  /** While a full scan runs, events stay buffered: they are applied on top of the scan's result. */
  private scanInProgress = false;
  private restarting: Promise<void> | undefined;
  private restartAgain = false;
  /** Files found so far by the full scan in progress (for logs and health). */
  private scanProgress: { files: number; startedAt: Date } | undefined;
  /** A directory moved within the target since things were last quiet: re-watch once more when they are. */
  private movedSinceQuiet = false;
  private lastScanAt: Date | undefined;
  private eventsApplied = 0;
  private watchErrors = 0;

  constructor(
    readonly id: string,
    readonly root: string,
    private readonly watchSetting: WatchSetting,
    private readonly watcher: WatchPort,
    private readonly scanner: ScanRunner,
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
    watching: boolean;
    scanning: { files: number; startedAt: Date } | undefined;
  } {
    return {
      eventsApplied: this.eventsApplied,
      watchErrors: this.watchErrors,
      lastScanAt: this.lastScanAt,
      watching: this.subscription !== undefined,
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
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
  }

  /** Re-reads one file after the caller changed it (deleted it, typically). */
  refresh(relativePath: string): void {
    this.applyPath(relativePath);
  }

  /** Stops watching and timers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.flushTimer);
    clearTimeout(this.quietTimer);
    await this.subscription?.close();
    this.subscription = undefined;
  }

  private async startWatching(): Promise<void> {
    // Nothing to watch until the app creates the directory; the next sweep's rescan starts the watch.
    if (!lstatSync(this.root, { throwIfNoEntry: false })?.isDirectory()) return;
    try {
      this.subscription = await this.watcher.watch(this.root, this.watchSetting === 'poll' ? 'poll' : 'native', {
        onEvents: (events) => this.onEvents(events),
        onError: (error) => this.onWatchError(error),
      });
    } catch (error) {
      // The root may not exist yet: sweeps pick it up, and the watch is retried on the next rescan.
      this.logger.debug(`No watch on ${this.root} yet: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async doRescan(): Promise<RescanResult> {
    const previous = this.index.tally();
    this.scanInProgress = true;
    let output: ScanOutput;
    this.scanProgress = { files: 0, startedAt: new Date() };
    let lastLog = performance.now();
    try {
      output = await this.scanner.scan(this.root, '', (files) => {
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
    if (this.closed) return { previous, current: previous, drift: { bytes: 0, files: 0 }, durationMs: output.durationMs, errors: output.errors };
    this.checkRootIdentity(output);
    const next = FileIndex.fromScan(output);
    this.index = next;
    this.lastScanAt = new Date();
    // Events that arrived during the scan may describe changes the scan did not see: apply them on top.
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
    for (const event of events) this.pending.push(event.path);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, COALESCE_MS);
  }

  private onWatchError(error: Error): void {
    this.watchErrors++;
    this.logger.warn(`Watcher error on ${this.root}: ${error.message}; rescanning`);
    void this.rescan().catch((e: unknown) => this.logger.error(`Rescan of ${this.root} failed: ${String(e)}`));
  }

  private flush(): void {
    if (this.closed || this.scanInProgress) return;
    const paths = this.pending;
    this.pending = [];
    if (paths.length === 0) return;
    const before = this.index.tally();
    const dirs = new Set<string>();
    for (const absolute of paths) {
      const relative = this.relative(absolute);
      if (relative === undefined) continue;
      if (relative === '') {
        dirs.add('');
        continue;
      }
      this.applyPath(relative);
      dirs.add(split(relative)[0]);
      this.eventsApplied++;
    }
    for (const dir of dirs) {
      this.relist(dir);
      this.quietDirs.add(dir);
    }
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.quietRelist(), QUIET_RELIST_MS);
    this.notifyIfChanged(before);
  }

  private quietRelist(): void {
    if (this.closed) return;
    if (this.movedSinceQuiet) {
      // Moves during a burst can outrun any re-watch made during it; once quiet, one more settles it.
      this.movedSinceQuiet = false;
      this.restartWatchSoon();
    }
    const before = this.index.tally();
    const dirs = [...this.quietDirs];
    this.quietDirs.clear();
    for (const dir of dirs) this.relist(dir);
    this.notifyIfChanged(before);
  }

  private notifyIfChanged(before: Tally): void {
    const after = this.index.tally();
    if (after.bytes !== before.bytes || after.files !== before.files || after.diskBytes !== before.diskBytes) this.listener.onChange(this);
  }

  /** Brings one path of the index in line with the disk. */
  private applyPath(relative: string): void {
    const stats = lstatSync(this.absolute(relative), { throwIfNoEntry: false });
    if (stats?.isFile()) {
      if (this.rootIdentity && stats.dev !== this.rootIdentity.dev) return;
      this.index.upsert(entryFromStats(relative, stats));
    } else if (stats?.isDirectory()) {
      this.index.remove(relative);
      if (!this.index.hasDir(relative)) this.mergeSubtree(relative);
    } else {
      // Gone, or no longer a regular file (a symlink, a fifo): not part of the tally.
      if (!this.index.remove(relative)) this.index.removeSubtree(relative);
    }
  }

  /** Lists a directory and reconciles its direct entries with the index. */
  private relist(dir: string): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(this.absolute(dir), { withFileTypes: true });
    } catch {
      if (dir !== '') this.index.removeSubtree(dir);
      return;
    }
    const known = this.index.filesIn(dir);
    const present = new Set<string>();
    for (const entry of entries) {
      present.add(entry.name);
      const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!this.index.hasDir(relative)) this.mergeSubtree(relative);
      } else if (!known?.has(entry.name) && entry.isFile()) {
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
    const output = this.scanner.scanNow(this.root, relative);
    this.index.ensureDir(relative);
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
        const old = this.subscription;
        this.subscription = undefined;
        await this.startWatching();
        // The old watch closes after the new one is up, so no change falls between the two.
        void old?.close();
        await this.rescan(true);
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
