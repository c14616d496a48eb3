/**
 * A change under a watched root, as reported by a watcher. Paths are absolute: the root as given, then the path
 * below it in the file-name escape (src/common/file-name.ts). An adapter that only gets decoded strings reports a
 * name that was not UTF-8 as an `update` of the nearest directory it can name exactly.
 */
export interface WatchEvent {
  readonly kind: 'create' | 'update' | 'delete';
  readonly path: string;
}

export interface WatchSubscription {
  /**
   * True when, after a directory is moved within the root, events from its subdirectories keep arriving
   * under their old paths (inotify-per-directory watchers): the consumer must re-establish the watch.
   */
  readonly staleAfterDirectoryMove: boolean;
  /**
   * The consumer found a directory by listing rather than through an event (the event was lost): an
   * adapter that watches directory by directory starts watching it (and below) before this returns.
   */
  directoryFound?(path: string): void;
  /**
   * How much of the tree has a kernel watch (adapters that watch directory by directory): directories the
   * kernel refused a watch (out of inotify watches or instances) are swept instead, every few seconds.
   */
  coverage?(): WatchCoverage;
  /** Stops delivering events. Idempotent: the second call is a no-op. */
  close(): Promise<void>;
}

export type WatchMode = 'native' | 'poll';

/** How a spell of unwatched directories (the watch limit) begins its `target.watch_failed` error, for alert texts. */
export const PARTLY_WATCHED = 'cannot watch every directory';

/** What a directory-by-directory subscription watches, and what it sweeps instead. */
export interface WatchCoverage {
  readonly directoriesWatched: number;
  /**
   * Directories the kernel refused a watch (and every directory below them), as of the last sweep of them: each is
   * listed again and its files re-read every sweep period, and watching them is retried then.
   */
  readonly directoriesUnwatched: number;
  /** Why some directories are unwatched (the limit, with its value); undefined while every directory is watched. */
  readonly reason: string | undefined;
  /** Seconds between sweeps of the unwatched directories. */
  readonly sweepSeconds: number;
}

export interface WatchHandlers {
  /** A batch of events (order within a batch is the watcher's). */
  readonly onEvents: (events: readonly WatchEvent[]) => void;
  /** The watcher failed or overflowed: events may have been lost, the caller should rescan. */
  readonly onError: (error: Error) => void;
  /**
   * Some directories could not be watched (the kernel's limit) and are swept instead, or every one is watched
   * again: called at each such change. Without it, reaching the limit is reported once through `onError`.
   */
  readonly onCoverage?: (coverage: WatchCoverage) => void;
}

/**
 * The watch layer as one port. Events can be lost (library or kernel queue overflow), so a consumer must
 * treat them as hints: re-list what they touch and reconcile with full scans.
 */
export abstract class WatchPort {
  /** Name of the adapter, for logs and health (`parcel`, `chokidar`). */
  abstract readonly name: string;
  /** Resolves once the watch is established: a change made after this resolves is reported. */
  abstract watch(root: string, mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription>;
}
