import { Injectable } from '@nestjs/common';
import type { AsyncSubscription, Event } from '@parcel/watcher';
import { fromDecodedPath } from '../../common/file-name.js';
import { SerialQueue } from '../../common/serial-queue.js';
import { WatchPort, type WatchEvent, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../measuring/watch.port.js';

type ParcelModule = typeof import('@parcel/watcher');

/**
 * Native watching through @parcel/watcher (inotify on Linux, one watch per directory). Polling is not its
 * business: a `poll` request is refused, the selecting adapter routes it to chokidar. Parcel decodes names to
 * strings, losing the bytes of names that are not UTF-8: such an event is reported as a change of the nearest
 * directory named exactly, which the consumer lists again with exact names.
 */
@Injectable()
export class ParcelWatchAdapter extends WatchPort {
  readonly name = 'parcel';
  private module: Promise<ParcelModule> | undefined;
  /** The native module is not safe with concurrent subscribe/unsubscribe calls (seen: SIGSEGV): one at a time. */
  private readonly native = new SerialQueue();

  /** Whether the native module loads on this platform. */
  async available(): Promise<boolean> {
    try {
      await this.load();
      return true;
    } catch {
      return false;
    }
  }

  async watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    if (mode !== 'native') throw new Error('the parcel adapter does not poll');
    const parcel = await this.load();
    let closed = false;
    const subscription: AsyncSubscription = await this.native.run(() =>
      parcel.subscribe(root, (error: Error | null, events: Event[]) => {
        if (closed) return;
        if (error) handlers.onError(error);
        if (events.length > 0) handlers.onEvents(events.map((e) => eventOf(root, e)));
      }),
    );
    return {
      staleAfterDirectoryMove: true,
      close: async () => {
        if (closed) return;
        closed = true;
        // Removing the inotify watches of a directory that is gone fails with EINVAL: nothing is left to close.
        await this.native.run(() => subscription.unsubscribe()).catch(() => undefined);
      },
    };
  }

  private load(): Promise<ParcelModule> {
    this.module ??= import('@parcel/watcher');
    return this.module;
  }
}

function eventOf(root: string, event: Event): WatchEvent {
  const { path, exact } = fromDecodedPath(root, event.path);
  return exact ? { kind: event.type, path } : { kind: 'update', path };
}
