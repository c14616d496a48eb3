import { WatchPort, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../src/measuring/watch.port.js';
import type { FakeDisk } from './fake-disk.js';

/** Watches a FakeDisk: every change under a watched root arrives as one event, at once (lost ones: `disk.unnoticed`). */
export class FakeWatchPort extends WatchPort {
  readonly name = 'fake';
  /** Roots watched right now. */
  readonly watching = new Set<string>();
  /** While set, every watch fails with this error (an exhausted inotify quota, an unsupported filesystem). */
  failWith: Error | undefined;
  private readonly handlers = new Map<string, WatchHandlers>();

  constructor(private readonly disk: FakeDisk) {
    super();
  }

  async watch(root: string, _mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    if (this.failWith) throw this.failWith;
    this.handlers.set(root, handlers);
    const unsubscribe = this.disk.onChange((event) => {
      if (event.path === root || event.path.startsWith(`${root}/`)) handlers.onEvents([event]);
    });
    this.watching.add(root);
    let open = true;
    return {
      staleAfterDirectoryMove: false,
      close: async () => {
        if (!open) return;
        open = false;
        unsubscribe();
        this.watching.delete(root);
        this.handlers.delete(root);
      },
    };
  }

  /** The watcher of `root` reports an error, as a native watcher does when its queue overflows or a watch fails. */
  reportError(root: string, error: Error): void {
    this.handlers.get(root)?.onError(error);
  }
}
