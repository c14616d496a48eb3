import { Injectable, Logger } from '@nestjs/common';
import { ChokidarWatchAdapter } from './chokidar-watch.adapter.js';
import { ParcelWatchAdapter } from './parcel-watch.adapter.js';
import { WatchPort, type WatchHandlers, type WatchMode, type WatchSubscription } from './watch.port.js';

/**
 * The watch port the service uses: native watching through @parcel/watcher when it loads, chokidar
 * otherwise; polling always through chokidar.
 */
@Injectable()
export class WatchSelector extends WatchPort {
  private readonly logger = new Logger(WatchSelector.name);
  private native: Promise<WatchPort> | undefined;

  constructor(
    private readonly parcel: ParcelWatchAdapter,
    private readonly chokidar: ChokidarWatchAdapter,
  ) {
    super();
  }

  get name(): string {
    return 'auto';
  }

  async watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    const adapter = mode === 'poll' ? this.chokidar : await this.nativeAdapter();
    return adapter.watch(root, mode, handlers);
  }

  /** The adapter native watches go through. */
  nativeAdapter(): Promise<WatchPort> {
    this.native ??= this.parcel.available().then((ok) => {
      if (!ok) this.logger.warn('@parcel/watcher is unavailable here: falling back to chokidar for native watching');
      return ok ? this.parcel : this.chokidar;
    });
    return this.native;
  }
}
