import { WatchPort, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../src/measuring/watch.port.js';
import type { FakeDisk } from './fake-disk.js';

/** Watches a FakeDisk: every change under a watched root arrives as one event, at once (lost ones: `disk.unnoticed`). */
export class FakeWatchPort extends WatchPort {
  readonly name = 'fake';
  /** Roots watched right now. */
  readonly watching = new Set<string>();

  constructor(private readonly disk: FakeDisk) {
    super();
  }

  async watch(root: string, _mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
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
      },
    };
  }
}
