import { Logger } from '@nestjs/common';
import type { TreeReader } from './tree-reader.port.js';
import type { WatchCoverage, WatchEvent, WatchPort, WatchSubscription } from './watch.port.js';

/** A failed subscription is retried this many times, WATCH_RETRY_MS × attempt apart. */
export const WATCH_ATTEMPTS = 5;
export const WATCH_RETRY_MS = 50;

export type WatchSetting = boolean | 'poll';

export interface MonitorWatchHandlers {
  readonly onEvents: (events: readonly WatchEvent[]) => void;
  /** The watcher reported an error (events may have been lost). */
  readonly onError: (error: Error) => void;
  /** Watching could not be set up after WATCH_ATTEMPTS. */
  readonly onProblem: (message: string) => void;
  /** What the watch covers changed (directories the kernel refused a watch, or all watched again). */
  readonly onCoverage: (coverage: WatchCoverage | undefined) => void;
  /** A fresh full scan after a re-watch (the target's rescan). */
  readonly rescanFresh: () => Promise<unknown>;
  readonly closed: () => boolean;
}

/**
 * One target's watch: subscribing (with retries), re-watching after directory moves, closing. The events go to
 * the handlers; what they mean for the index is the event application's concern (event-application.ts).
 */
export class MonitorWatch {
  private readonly logger = new Logger(MonitorWatch.name);
  private subscription: WatchSubscription | undefined;
  private restarting: Promise<void> | undefined;
  private restartAgain = false;
  /** A directory moved within the target since things were last quiet: re-watch once more when they are. */
  private movedSinceQuiet = false;
  private batchesReceived = 0;
  errors = 0;

  constructor(
    private readonly root: string,
    readonly setting: WatchSetting,
    private readonly watcher: WatchPort,
    private readonly reader: TreeReader,
    private readonly handlers: MonitorWatchHandlers,
  ) {}

  get enabled(): boolean {
    return this.setting !== false;
  }

  get watching(): boolean {
    return this.subscription !== undefined;
  }

  /** What the watch covers, from adapters that watch directory by directory. */
  get coverage(): WatchCoverage | undefined {
    return this.subscription?.coverage?.();
  }

  /** Whether a native watcher keeps reporting a moved directory's subdirectories under their old paths. */
  get staleAfterDirectoryMove(): boolean {
    return this.subscription?.staleAfterDirectoryMove === true;
  }

  /**
   * Subscribes to the root. A subscription made while directories are being created and removed can fail
   * (the watcher lists the tree, then watches each directory it listed): it is retried a few times; after
   * that, sweeps keep the index exact and the next rescan tries again.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // Nothing to watch until the app creates the directory; the next sweep's rescan starts the watch.
      if (this.handlers.closed() || !this.reader.statPath(this.root)?.isDirectory()) return;
      try {
        const subscription = await this.watcher.watch(this.root, this.setting === 'poll' ? 'poll' : 'native', {
          onEvents: (events) => {
            this.batchesReceived++;
            this.handlers.onEvents(events);
          },
          onError: (error) => {
            this.errors++;
            this.handlers.onError(error);
          },
          onCoverage: (coverage) => this.handlers.onCoverage(coverage),
        });
        // Closed while the watch was being set up: nobody else will close this one.
        if (this.handlers.closed()) await subscription.close();
        else {
          this.subscription = subscription;
          // A new watch (after a restart) may cover what the old one could not.
          this.handlers.onCoverage(subscription.coverage?.());
        }
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= WATCH_ATTEMPTS) {
          this.errors++;
          this.logger.warn(`Could not watch ${this.root} (${message}); sweeps keep it measured, the next rescan tries again`);
          this.handlers.onProblem(message);
          return;
        }
        this.logger.debug(`Watching ${this.root} failed (${message}), retrying`);
        await new Promise((resolve) => setTimeout(resolve, WATCH_RETRY_MS * attempt));
      }
    }
  }

  /** A directory found by listing rather than through an event: a per-directory watcher starts watching it. */
  directoryFound(absolute: string): void {
    this.subscription?.directoryFound?.(absolute);
  }

  /** A directory arrived with subdirectories (most likely moved in): re-watch now and once more when quiet. */
  directoryMovedIn(): void {
    if (!this.staleAfterDirectoryMove) return;
    this.movedSinceQuiet = true;
    this.restartSoon();
  }

  /** Things are quiet: moves during a burst can outrun any re-watch made during it, one more settles them. */
  quiet(): void {
    if (!this.movedSinceQuiet) return;
    this.movedSinceQuiet = false;
    this.restartSoon();
  }

  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private restartSoon(): void {
    if (this.handlers.closed()) return;
    if (this.restarting) {
      // A move during a restart may postdate its new watch: one more round after this one.
      this.restartAgain = true;
      return;
    }
    this.restarting = (async () => {
      do {
        this.restartAgain = false;
        const batchesBefore = this.batchesReceived;
        // The old watch closes first: the native module shares its directory tree between subscriptions of
        // one root, so a new one opened beside the old would inherit the stale tree. Changes made between
        // the two are picked up by the fresh rescan that follows.
        await this.close();
        await this.start();
        await this.handlers.rescanFresh();
        // The watcher lists the tree, then watches each directory it listed: a directory created in between
        // goes unwatched. If anything changed meanwhile, one more round once things are quiet settles it.
        if (this.batchesReceived !== batchesBefore) this.movedSinceQuiet = true;
      } while (this.restartAgain && !this.handlers.closed());
    })()
      .catch((error: unknown) => this.logger.error(`Re-watching ${this.root} failed: ${String(error)}`))
      .finally(() => (this.restarting = undefined));
  }
}
