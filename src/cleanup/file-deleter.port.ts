import type { FileEntry } from '../measuring/file-entry.js';

export type SkipReason =
  | 'invalid path'
  | 'symlink in path'
  | 'other mount'
  | 'not a regular file'
  | 'changed since planned'
  | 'vanished';

export interface DeletionOptions {
  /** Remove directories that became empty (deepest first; only on the path of a deleted file; never the root). */
  readonly deleteEmptyDirs: boolean;
  /** At most this many files are deleted in this call (skipped entries and errors do not count). */
  readonly limit?: number;
  /** Checked before each entry; when it returns true the run ends (empty directories are still tidied). */
  readonly shouldStop?: () => boolean;
  /**
   * The volume's root directory, an ancestor of (or equal to) `root`. Symlinks above it are the host's business and
   * are followed when it is opened; from it down to `root` no component may be a symlink, and `root` must be on the
   * same mount as it. Without it, no component of `root` at all may be a symlink.
   */
  readonly volumeRoot?: string;
  /** Files in flight at once (lstat → unlink pairs); {@link DEFAULT_CONCURRENCY} by default, 1 for strictly one by one. */
  readonly concurrency?: number;
}

export interface DeletionReport {
  deleted: Array<{ path: string; size: number }>;
  skipped: Array<{ path: string; reason: SkipReason }>;
  /** Sum of `st_size` of the deleted files. */
  bytes: number;
  dirsRemoved: number;
  errors: Array<{ path: string; message: string }>;
  /** How many entries were looked at; `entries.slice(processed)` were left alone because of `limit`/`shouldStop`. */
  processed: number;
}

/** The run was refused before anything was deleted (unsafe root, no /proc, not Linux). */
export class UnsafeDeletionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeDeletionError';
  }
}

/**
 * How cleanup deletes planned files: from one target root, never leaving it (SPEC §11). Implemented by the
 * fd-relative safe deleter in `adapters/deletion/`.
 */
export abstract class FileDeleter {
  /**
   * Deletes `entries` (paths relative to `root`) in order. Throws UnsafeDeletionError, before deleting anything,
   * when the root cannot be held safely; every per-file problem is reported instead and the run continues. The
   * report lists entries in plan order.
   */
  abstract deleteFiles(root: string, entries: readonly FileEntry[], options: DeletionOptions): Promise<DeletionReport>;
}
