import { Injectable } from '@nestjs/common';
import { watch as chokidarWatch } from 'chokidar';
import { fromDecodedPath, mayBeLossy } from '../../common/file-name.js';
import { WatchPort, type WatchEvent, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../measuring/watch.port.js';

/** How often the polling mode looks at files (network filesystems where events do not arrive). */
export const POLL_INTERVAL_MS = 1000;

/**
 * Watching through chokidar: the fallback where the native watcher is unavailable, and the polling mode
 * (`watch: "poll"`). Events are batched per tick to match the native adapter's delivery. chokidar decodes names
 * to strings and reports nothing for a name that is not UTF-8 (it cannot stat what it decoded), so its raw
 * events stand in: a lossily decoded name in a native raw event, or a polled directory whose contents changed,
 * is reported as a change of that directory (the consumer lists it again with exact names).
 */
@Injectable()
export class ChokidarWatchAdapter extends WatchPort {
  readonly name = 'chokidar';

  async watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    const watcher = chokidarWatch(root, {
      ignoreInitial: true,
      followSymlinks: false,
      usePolling: mode === 'poll',
      interval: POLL_INTERVAL_MS,
      binaryInterval: POLL_INTERVAL_MS,
      atomic: false,
      awaitWriteFinish: false,
    });
    let closed = false;
    let batch: WatchEvent[] = [];
    let flushScheduled = false;
    const push = (kind: WatchEvent['kind'], decoded: string): void => {
      if (closed) return;
      const { path, exact } = fromDecodedPath(root, decoded);
      batch.push({ kind: exact ? kind : 'update', path });
      if (flushScheduled) return;
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        const events = batch;
        batch = [];
        if (!closed && events.length > 0) handlers.onEvents(events);
      });
    };
    watcher.on('add', (path: string) => push('create', path));
    watcher.on('addDir', (path: string) => push('create', path));
    watcher.on('change', (path: string) => push('update', path));
    watcher.on('unlink', (path: string) => push('delete', path));
    watcher.on('unlinkDir', (path: string) => push('delete', path));
    watcher.on('raw', (event: string, name: unknown, details: unknown) => {
      const { watchedPath, current, previous } = (details ?? {}) as { watchedPath?: unknown; current?: RawStats; previous?: RawStats };
      if (typeof watchedPath === 'string' && typeof name === 'string' && mayBeLossy(name)) push('update', watchedPath);
      else if (typeof name === 'string' && current && isDirectory(current) && current.mtimeMs !== previous?.mtimeMs) push('update', name);
    });
    watcher.on('error', (error: unknown) => {
      if (!closed) handlers.onError(error instanceof Error ? error : new Error(String(error)));
    });
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    return {
      staleAfterDirectoryMove: false,
      close: async () => {
        if (closed) return;
        closed = true;
        await watcher.close();
      },
    };
  }
}

interface RawStats {
  readonly mode: number;
  readonly mtimeMs: number;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

function isDirectory(stats: RawStats): boolean {
  return (stats.mode & S_IFMT) === S_IFDIR;
}
