import { Injectable } from '@nestjs/common';
import { watch as chokidarWatch } from 'chokidar';
import { fromDecodedPath } from '../../common/file-name.js';
import { WatchPort, type WatchEvent, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../measuring/watch.port.js';

/** How often the polling mode looks at files (network filesystems where events do not arrive). */
export const POLL_INTERVAL_MS = 1000;

/**
 * Watching through chokidar: the fallback where the native watcher is unavailable, and the polling mode
 * (`watch: "poll"`). Events are batched per tick to match the native adapter's delivery. chokidar decodes names
 * to strings: an event whose name was not UTF-8 is reported as a change of the nearest directory named exactly.
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
