import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { ChokidarWatchAdapter } from './chokidar-watch.adapter.js';
import { DirectoryWatchAdapter } from './directory-watch.adapter.js';
import { ParcelWatchAdapter } from './parcel-watch.adapter.js';
import { WatchPort, type WatchHandlers, type WatchMode, type WatchSubscription } from '../../measuring/watch.port.js';

/**
 * The watch port the service uses: native watches through the adapter SM_WATCHER names (directory by
 * directory by default; @parcel/watcher falls back to chokidar where its binary does not load); polling
 * always through chokidar.
 */
@Injectable()
export class WatchSelector extends WatchPort {
  private readonly logger = new Logger(WatchSelector.name);
  private native: Promise<WatchPort> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directories: DirectoryWatchAdapter,
    private readonly parcel: ParcelWatchAdapter,
    private readonly chokidar: ChokidarWatchAdapter,
  ) {
    super();
  }

  get name(): string {
    return this.config.watcher;
  }

  async watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    const adapter = mode === 'poll' ? this.chokidar : await this.nativeAdapter();
    return adapter.watch(root, mode, handlers);
  }

  /** The adapter native watches go through. */
  nativeAdapter(): Promise<WatchPort> {
    this.native ??= this.pick();
    return this.native;
  }

  private async pick(): Promise<WatchPort> {
    if (this.config.watcher === 'directories') return this.directories;
    if (this.config.watcher === 'chokidar') return this.chokidar;
    if (await this.parcel.available()) return this.parcel;
    this.logger.warn('@parcel/watcher is unavailable here: falling back to chokidar for native watching');
    return this.chokidar;
  }
}
