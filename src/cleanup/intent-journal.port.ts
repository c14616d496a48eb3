/** What a run is about to delete, written durably before it deletes: the intent of SPEC §8. */
export interface IntentHeader {
  /** The run's id: also the uid of the event that records its outcome. */
  readonly run: string;
  readonly registration_id: string;
  /** Target key `volume:/path`. */
  readonly target: string;
  readonly volume_name: string;
  /** The registration's path, relative to the volume root (`/` or `/a/b`). */
  readonly registration_path: string;
  /** The target's absolute root when the run began. */
  readonly root: string;
  readonly trigger: string;
  readonly algorithm: string;
  readonly started_at: string;
}

/** One planned file: enough to tell afterwards whether it is gone (an absent name, or another inode under it). */
export interface IntendedFile {
  /** Relative to the target root, in the file-name escape. */
  readonly path: string;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
}

export interface OpenIntent {
  readonly header: IntentHeader;
  readonly files: readonly IntendedFile[];
}

/** What the disk shows of a planned file now. */
export type FileIdentity = { readonly dev: number; readonly ino: number } | 'absent';

/**
 * Durable deletion intents, one per run, on the manager's disk (SM_DATA_DIR/intents). Implemented in
 * `adapters/filesystem/intent-journal.adapter.ts`. Every write is synced before it resolves.
 */
export abstract class IntentJournal {
  /** Starts a run's intent (its header). */
  abstract open(header: IntentHeader): Promise<void>;
  /** Adds a batch of planned files to a run's intent. */
  abstract append(run: string, files: readonly IntendedFile[]): Promise<void>;
  /** The run's outcome is in the log: its intent goes. */
  abstract close(run: string): void;
  /** Intents left open (by a crash), oldest first. */
  abstract leftovers(): Promise<OpenIntent[]>;
  /** The identity of `path` under `root` now (lstat, never following a final symlink). */
  abstract identify(root: string, path: string): Promise<FileIdentity>;
}
