/**
 * The manager's own disk (SM_DATA_DIR): how much room is left, and the reserve file that is given back when it
 * fills (like CockroachDB's ballast) so that the event log can go on recording what cleanup does. Implemented in
 * `adapters/filesystem/state-disk.adapter.ts`.
 */
export abstract class StateDisk {
  /** The directory the reserve lives in (the data directory). */
  abstract readonly directory: string;
  /** Bytes an unprivileged write may still use on the directory's filesystem (statfs f_bavail). */
  abstract availableBytes(): number;
  /** Bytes of the reserve file now (0 when absent). */
  abstract reserveBytes(): number;
  /**
   * Creates the reserve with real blocks (zeros written and synced, never a sparse file that would free nothing).
   * Throws when it does not fit, leaving no partial file behind.
   */
  abstract createReserve(bytes: number): Promise<void>;
  /** Removes the reserve file; returns the bytes it held (0 when there was none). */
  abstract releaseReserve(): number;
}
