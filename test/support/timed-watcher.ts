import { WatchPort, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../src/measuring/watch.port.js';

/** Passes a watcher through, noting when it last delivered events. */
export class TimedWatcher extends WatchPort {
  lastEventAt = 0;

  constructor(private readonly inner: WatchPort) {
    super();
  }

  get name(): string {
    return this.inner.name;
  }

  watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    return this.inner.watch(root, mode, {
      onEvents: (events) => {
        this.lastEventAt = performance.now();
        handlers.onEvents(events);
      },
      onError: handlers.onError,
    });
  }
}
