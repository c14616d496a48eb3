import { lstatSync, readFileSync, statfsSync, watch as fsWatch, type Dirent, type FSWatcher, type Stats } from 'node:fs';
import { nameFromBytes, osPath } from '../../common/file-name.js';
import type { WatchCoverage, WatchEvent, WatchHandlers, WatchSubscription } from '../../measuring/watch.port.js';

/**
 * Filesystems whose directories' link count is 2 plus their subdirectories (statfs f_type): ext2/3/4, tmpfs, xfs,
 * f2fs. On them a directory with a link count of 2 has no subdirectory, and the walk need not list it (find's leaf
 * optimisation). Others are listed always: btrfs and overlayfs give directories a count of 1, and network or FUSE
 * filesystems may report any count.
 */
const SUBDIRECTORY_LINK_COUNTS = new Set([0xef53, 0x01021994, 0x58465342, 0xf2f52010]);

/** Whether directories on a filesystem of this statfs type count their subdirectories in their link count. */
export function countsSubdirectoryLinks(type: number): boolean {
  return SUBDIRECTORY_LINK_COUNTS.has(type);
}

/** The initial walk yields to the event loop after this many directories. */
const DIRECTORIES_PER_TURN = 500;

/** One root watched by the directories adapter (see DirectoryWatchAdapter for how). */
export class DirectorySubscription implements WatchSubscription {
  readonly staleAfterDirectoryMove = false;
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly device: number;
  /** Whether a directory's link count tells it has no subdirectory (see SUBDIRECTORY_LINK_COUNTS). */
  private readonly leavesKnown: boolean;
  private batch: WatchEvent[] = [];
  private flushScheduled = false;
  private closed = false;
  private limitReported = false;
  /**
   * The highest directories the kernel refused a watch (their parent is watched, they are not, nor anything below
   * them): swept every `fallbackMs` instead.
   */
  private readonly unwatched = new Set<string>();
  /** Directories in the unwatched subtrees, as counted by the last sweep (at least their tops before it). */
  private unwatchedCount = 0;
  private limitReason: string | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: string,
    private readonly handlers: WatchHandlers,
    private readonly fallbackMs: number,
    private readonly list: (dir: string | Buffer) => Dirent[],
  ) {
    const stats = lstatSync(root);
    if (!stats.isDirectory()) throw new Error(`${root} is not a directory`);
    this.device = stats.dev;
    this.leavesKnown = countsSubdirectoryLinks(statfsSync(root).type);
  }

  /** Watches the whole tree; resolves once every directory found is watched. Throws when the root cannot be. */
  async start(): Promise<void> {
    this.add(this.root, true);
    // A big tree is walked in slices, so that the event loop keeps serving meanwhile.
    let listed = 0;
    for (const _ of this.walk(this.root, false)) {
      if (++listed % DIRECTORIES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Short of watches: say at once how many directories are swept instead (the first sweep comes later).
    if (this.unwatched.size > 0) this.countUnwatched();
  }

  coverage(): WatchCoverage {
    return {
      directoriesWatched: this.watchers.size,
      directoriesUnwatched: this.unwatched.size === 0 ? 0 : Math.max(this.unwatchedCount, this.unwatched.size),
      reason: this.unwatched.size === 0 ? undefined : this.limitReason,
      sweepSeconds: this.fallbackMs / 1000,
    };
  }

  /**
   * The consumer is about to list `path` (it found the directory by listing, or its event is being applied
   * after a delay): everything below it is watched first, including subdirectories whose own creation
   * events have not been handled yet, so that nothing changes unseen between the listing and the watches.
   */
  directoryFound(path: string): void {
    // Inside an unwatched subtree: the sweeps list it (and retry watching it from the top).
    if (!this.closed && !this.isUnwatched(path)) this.watchTree(path, true);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearTimeout(this.sweepTimer);
      for (const watcher of this.watchers.values()) watcher.close();
      this.watchers.clear();
    }
    return Promise.resolve();
  }

  /**
   * Watches `path` (when it is a directory of this mount) and everything below it, at once. Returns whether
   * `path` is such a directory. `thorough`: also descends into directories already watched.
   */
  private watchTree(path: string, thorough: boolean, stats = this.lstat(path)): boolean {
    if (!this.isOurDirectory(stats)) return false;
    if (this.watchers.has(path) ? thorough : this.add(path, false)) for (const _ of this.walk(path, thorough));
    return true;
  }

  /**
   * Watches every directory below `top` (already watched), listing each only after its watch is open;
   * yields after each listing. `thorough`: also descends into directories already watched, to find new
   * ones deeper down. A directory whose link count says it has no subdirectory is not listed: the count is read
   * after its watch is open, so a subdirectory made later is reported by the watch. This spares the walk listing
   * every file of a tree (the scan lists them anyway), and the memory that listings interleaved with the watches'
   * allocations leave behind.
   */
  private *walk(top: string, thorough: boolean): Generator<void> {
    const pending = [top];
    while (pending.length > 0 && !this.closed) {
      const dir = pending.pop()!;
      if (this.leavesKnown && this.lstat(dir)?.nlink === 2) continue;
      let entries: Dirent[];
      try {
        entries = this.list(this.os(dir));
      } catch {
        continue; // gone meanwhile: its parent's watch reports that
      }
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const path = `${dir}/${entry.name}`;
        if (this.watchers.has(path)) {
          if (thorough) pending.push(path);
        } else if (this.isOurDirectory(this.lstat(path)) && this.add(path, false)) {
          pending.push(path);
        }
      }
      yield;
    }
  }

  /** The OS path of an (escaped) absolute path below the root. */
  private os(path: string): string | Buffer {
    return path === this.root ? this.root : osPath(this.root, path.slice(this.root.length + 1));
  }

  private lstat(path: string): Stats | undefined {
    try {
      return lstatSync(this.os(path), { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
  }

  /** A directory (not a symlink to one) on the root's mount: another mount is not ours. */
  private isOurDirectory(stats: Stats | undefined): boolean {
    return stats !== undefined && stats.isDirectory() && stats.dev === this.device;
  }

  /** Opens the watch of one directory. Returns false when it could not be opened (gone, or out of watches). */
  private add(dir: string, required: boolean): boolean {
    let watcher: FSWatcher;
    try {
      watcher = fsWatch(this.os(dir), { persistent: false, encoding: 'buffer' }, (type, name) => this.onRaw(dir, type, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (required) throw error;
      if (code === 'ENOSPC' || code === 'EMFILE') this.leaveUnwatched(dir, code, error as Error);
      return false;
    }
    this.unwatched.delete(dir);
    // A watch fails when its directory goes away or becomes unreadable: drop it, and say so through an event.
    watcher.on('error', () => {
      this.drop(dir);
      this.push(dir, 'update');
    });
    this.watchers.set(dir, watcher);
    return true;
  }

  private onRaw(dir: string, type: string, name: Buffer | null): void {
    if (this.closed) return;
    if (!name || name.length === 0) {
      this.push(dir, 'update');
      return;
    }
    const path = `${dir}/${nameFromBytes(name)}`;
    this.push(path, type === 'rename' ? this.renamed(dir, path) : 'update');
  }

  /** Something appeared at or left `path`: keep the watches in line with the directories now there. */
  private renamed(dir: string, path: string): WatchEvent['kind'] {
    const stats = this.lstat(path);
    if (this.watchTree(path, false, stats)) return 'create';
    // Gone or replaced: the watches opened under this path (and below) describe it no more. (A directory is
    // only watched when its parent is, so an unwatched path has no watches below it.)
    if (this.watchers.has(path)) this.drop(path);
    this.forgetUnwatched(path);
    // A watched directory reports its own removal under its own name: check the directory itself.
    if (path === `${dir}/${dir.slice(dir.lastIndexOf('/') + 1)}` && !this.lstat(dir)?.isDirectory()) {
      this.drop(dir);
      this.push(dir, 'delete');
    }
    return stats ? 'create' : 'delete';
  }

  /** Closes the watches of `path` and everything below it. */
  private drop(path: string): void {
    this.forgetUnwatched(path);
    const prefix = `${path}/`;
    for (const [dir, watcher] of this.watchers) {
      if (dir === path || dir.startsWith(prefix)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
  }

  /** The kernel refused `dir` a watch: it (and everything below it) is swept instead until a watch can be had. */
  private leaveUnwatched(dir: string, code: 'ENOSPC' | 'EMFILE', error: Error): void {
    const first = this.unwatched.size === 0;
    this.unwatched.add(dir);
    this.unwatchedCount++;
    this.sweepTimer ??= setTimeout(() => this.sweep(), this.fallbackMs).unref();
    if (!first) return;
    this.limitReason = limitReason(code);
    if (this.handlers.onCoverage) {
      this.handlers.onCoverage(this.coverage());
    } else if (!this.limitReported) {
      this.limitReported = true;
      this.handlers.onError(new Error(`cannot watch ${dir}: ${error.message} (${this.limitReason}); swept every ${this.fallbackMs / 1000} s instead`));
    }
  }

  /** Whether `path` is, or is below, a directory the kernel refused a watch. */
  private isUnwatched(path: string): boolean {
    if (this.unwatched.size === 0) return false;
    for (let at = path.length; at > this.root.length; at = path.lastIndexOf('/', at - 1)) {
      if (this.unwatched.has(path.slice(0, at))) return true;
    }
    return false;
  }

  /** `path` went away or was replaced: the unwatched directories at or below it are no more. */
  private forgetUnwatched(path: string): void {
    const prefix = `${path}/`;
    for (const dir of this.unwatched) if (dir === path || dir.startsWith(prefix)) this.unwatched.delete(dir);
  }

  /**
   * One sweep of the unwatched directories: watching them is retried, highest in the tree first (the limit may
   * have been raised, or watched directories removed), until the kernel refuses one; what is newly watched and
   * what stays unwatched is listed down its whole subtree, and every directory of it reported as updated, so that
   * the consumer re-lists it and re-reads its files. Once every directory is watched, the sweeps stop.
   */
  private sweep(): void {
    this.sweepTimer = undefined;
    if (this.closed) return;
    const tops = [...this.unwatched].sort((a, b) => depth(a) - depth(b));
    let refused = false;
    for (const top of tops) {
      if (!this.unwatched.has(top)) continue;
      if (!this.isOurDirectory(this.lstat(top))) {
        // Gone (or replaced by something that is not a directory): its parent's listing says so.
        this.unwatched.delete(top);
        continue;
      }
      if (!refused && this.add(top, false)) {
        for (const _ of this.walk(top, false));
        this.reportSubtree(top, (dir) => this.watchers.has(dir));
      } else {
        refused = true;
      }
    }
    let count = 0;
    for (const top of this.unwatched) count += this.reportSubtree(top, () => true);
    this.unwatchedCount = count;
    // (A retry refused above may have armed the timer already.)
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    if (this.unwatched.size > 0) {
      this.sweepTimer = setTimeout(() => this.sweep(), this.fallbackMs).unref();
      return;
    }
    this.limitReason = undefined;
    this.limitReported = false;
    this.handlers.onCoverage?.(this.coverage());
  }

  /** Counts the directories of the unwatched subtrees, without reporting them (the consumer is scanning anyway). */
  private countUnwatched(): void {
    let count = 0;
    for (const top of this.unwatched) count += this.reportSubtree(top, () => false);
    this.unwatchedCount = count;
  }

  /**
   * Lists the directories of `top`'s subtree (this mount's, no symlinks) and reports as updated those `report`
   * picks. Returns how many there are.
   */
  private reportSubtree(top: string, report: (dir: string) => boolean): number {
    const pending = [top];
    let count = 0;
    while (pending.length > 0) {
      const dir = pending.pop()!;
      count++;
      if (report(dir)) this.push(dir, 'update');
      if (this.leavesKnown && this.lstat(dir)?.nlink === 2) continue;
      let entries: Dirent[];
      try {
        entries = this.list(this.os(dir));
      } catch {
        continue;
      }
      for (const entry of entries) if (entry.isDirectory()) pending.push(`${dir}/${entry.name}`);
    }
    return count;
  }

  private push(path: string, kind: WatchEvent['kind']): void {
    this.batch.push({ kind, path });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const events = this.batch;
      this.batch = [];
      if (!this.closed && events.length > 0) this.handlers.onEvents(events);
    });
  }
}

function depth(path: string): number {
  let n = 0;
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) n++;
  return n;
}

/** The limit the kernel enforced, with its value as this process sees it (the user namespace's own may be lower). */
function limitReason(code: 'ENOSPC' | 'EMFILE'): string {
  const read = (file: string): number | undefined => {
    try {
      const value = Number(readFileSync(file, 'utf8').trim());
      return Number.isFinite(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };
  if (code === 'EMFILE') {
    const instances = read('/proc/sys/fs/inotify/max_user_instances');
    return `out of inotify instances or file descriptors (fs.inotify.max_user_instances=${instances ?? '?'})`;
  }
  const global = read('/proc/sys/fs/inotify/max_user_watches');
  const namespace = read('/proc/sys/user/max_inotify_watches');
  if (namespace !== undefined && global !== undefined && namespace < global) {
    return `inotify watch limit (user.max_inotify_watches=${namespace} in this user namespace; fs.inotify.max_user_watches=${global})`;
  }
  return `inotify watch limit (fs.inotify.max_user_watches=${global ?? namespace ?? '?'})`;
}
