/** statfs figures of the filesystem holding a path. */
export interface FilesystemUsage {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly usedBytes: number;
  readonly totalInodes: number;
  readonly freeInodes: number;
}

/** How tiers measure filesystems (statfs: microseconds per call). Implemented in `adapters/statfs/`. */
export abstract class FilesystemStats {
  /** statfs of the filesystem holding `target`; throws when `target` does not exist. */
  abstract usage(target: string): Promise<FilesystemUsage>;
  /** The device id of the filesystem holding `target` (to group volumes by filesystem); undefined when missing. */
  abstract deviceOf(target: string): Promise<number | undefined>;
}
