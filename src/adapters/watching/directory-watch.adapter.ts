import { lstatSync, watch as fsWatch, type Dirent, type FSWatcher, type Stats } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { nameFromBytes, osPath } from '../../common/file-name.js';
import { readDirectory } from '../filesystem/exact-names.js';
import { WatchPort, type WatchEvent, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../measuring/watch.port.js';

/** The initial walk yields to the event loop after this many directories. */
const DIRECTORIES_PER_TURN = 500;

/**
 * Native watching with one kernel watch per directory (Node's fs.watch, inotify on Linux) and nothing per
 * file: the watcher keeps no tree of its own, so a million files in ten thousand directories cost ten
 * thousand watches. Each directory is watched before it is listed, so a subdirectory created meanwhile is
 * either listed or reported. Every watch knows the path it was opened under; when a directory is moved,
 * the watches below its old path are closed and its new path is walked again, so events never arrive under
 * stale paths. Names arrive as bytes (fs.watch with `encoding: 'buffer'`) and directories are listed with exact
 * names, so paths below the root are in the file-name escape (src/common/file-name.ts) whatever the names' bytes.
 */
@Injectable()
export class DirectoryWatchAdapter extends WatchPort {
  readonly name = 'directories';

  async watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    if (mode !== 'native') throw new Error('the directories adapter does not poll');
    const subscription = new DirectorySubscription(root, handlers);
    try {
      await subscription.start();
    } catch (error) {
      await subscription.close();
      throw error;
    }
    return subscription;
  }
}

class DirectorySubscription implements WatchSubscription {
  readonly staleAfterDirectoryMove = false;
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly device: number;
  private batch: WatchEvent[] = [];
  private flushScheduled = false;
  private closed = false;
  private limitReported = false;

  constructor(
    private readonly root: string,
    private readonly handlers: WatchHandlers,
  ) {
    const stats = lstatSync(root);
    if (!stats.isDirectory()) throw new Error(`${root} is not a directory`);
    this.device = stats.dev;
  }

  /** Watches the whole tree; resolves once every directory found is watched. Throws when the root cannot be. */
  async start(): Promise<void> {
    this.add(this.root, true);
    // A big tree is walked in slices, so that the event loop keeps serving meanwhile.
    let listed = 0;
    for (const _ of this.walk(this.root, false)) {
      if (++listed % DIRECTORIES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * The consumer is about to list `path` (it found the directory by listing, or its event is being applied
   * after a delay): everything below it is watched first, including subdirectories whose own creation
   * events have not been handled yet, so that nothing changes unseen between the listing and the watches.
   */
  directoryFound(path: string): void {
    if (!this.closed) this.watchTree(path, true);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
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
   * ones deeper down.
   */
  private *walk(top: string, thorough: boolean): Generator<void> {
    const pending = [top];
    while (pending.length > 0 && !this.closed) {
      const dir = pending.pop()!;
      let entries: Dirent[];
      try {
        entries = readDirectory(this.os(dir));
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
      if (code === 'ENOSPC' || code === 'EMFILE') this.reportLimit(dir, error as Error);
      return false;
    }
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
    // A watched directory reports its own removal under its own name: check the directory itself.
    if (path === `${dir}/${dir.slice(dir.lastIndexOf('/') + 1)}` && !this.lstat(dir)?.isDirectory()) {
      this.drop(dir);
      this.push(dir, 'delete');
    }
    return stats ? 'create' : 'delete';
  }

  /** Closes the watches of `path` and everything below it. */
  private drop(path: string): void {
    const prefix = `${path}/`;
    for (const [dir, watcher] of this.watchers) {
      if (dir === path || dir.startsWith(prefix)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
  }

  private reportLimit(dir: string, error: Error): void {
    if (this.limitReported) return;
    this.limitReported = true;
    this.handlers.onError(new Error(`cannot watch ${dir}: ${error.message} (raise fs.inotify.max_user_watches); sweeps keep it measured`));
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
