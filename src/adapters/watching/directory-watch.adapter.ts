import type { Dirent } from 'node:fs';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { readDirectory } from '../filesystem/exact-names.js';
import { WatchPort, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../measuring/watch.port.js';
import { DirectorySubscription } from './directory-subscription.js';

export { countsSubdirectoryLinks } from './directory-subscription.js';

/** Seconds between sweeps of the directories the kernel refused a watch, unless configured (SM_WATCH_FALLBACK_SECONDS). */
export const DEFAULT_FALLBACK_SECONDS = 10;

/**
 * Native watching with one kernel watch per directory (Node's fs.watch, inotify on Linux) and nothing per
 * file: the watcher keeps no tree of its own, so a million files in ten thousand directories cost ten
 * thousand watches. Each directory is watched before it is listed, so a subdirectory created meanwhile is
 * either listed or reported. Every watch knows the path it was opened under; when a directory is moved,
 * the watches below its old path are closed and its new path is walked again, so events never arrive under
 * stale paths. Names arrive as bytes (fs.watch with `encoding: 'buffer'`) and directories are listed with exact
 * names, so paths below the root are in the file-name escape (src/common/file-name.ts) whatever the names' bytes.
 *
 * At the kernel's limit (ENOSPC: fs.inotify.max_user_watches; EMFILE: inotify instances or descriptors) a
 * directory stays unwatched, and so does everything below it. Such directories are swept instead: every
 * `fallbackSeconds` each is listed again, down its whole subtree, and reported as updated (the consumer re-lists it
 * and re-reads its files, which catches growth too), and watching them is retried, highest in the tree first. The
 * subscription's coverage says how many are unwatched and why, and `onCoverage` hears each change of it.
 */
@Injectable()
export class DirectoryWatchAdapter extends WatchPort {
  readonly name = 'directories';
  private readonly fallbackMs: number;

  constructor(@Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'watchFallbackSeconds'>) {
    super();
    this.fallbackMs = (config?.watchFallbackSeconds ?? DEFAULT_FALLBACK_SECONDS) * 1000;
  }

  async watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    if (mode !== 'native') throw new Error('the directories adapter does not poll');
    const subscription = new DirectorySubscription(root, handlers, this.fallbackMs, (dir) => this.listDirectory(dir));
    try {
      await subscription.start();
    } catch (error) {
      await subscription.close();
      throw error;
    }
    return subscription;
  }

  /** Lists a directory the walk looks into for subdirectories (a seam for specs that count the listings). */
  protected listDirectory(dir: string | Buffer): Dirent[] {
    return readDirectory(dir);
  }
}
