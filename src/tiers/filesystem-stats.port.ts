/** statfs figures of the filesystem holding a path. */
export interface FilesystemUsage {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly usedBytes: number;
  readonly totalInodes: number;
  readonly freeInodes: number;
}

/** Which filesystem holds a path: its mount point (the stable name used in events, health and metrics). */
export interface FilesystemIdentity {
  readonly mountPoint: string;
  /** st_dev of the filesystem (not stable across reboots for every filesystem: use mountPoint as the key). */
  readonly device: number;
  /** `ext4`, `xfs`, `tmpfs`, … */
  readonly fsType: string;
}

/** How tiers measure filesystems (statfs: microseconds per call). Implemented in `adapters/statfs/`. */
export abstract class FilesystemStats {
  /** statfs of the filesystem holding `target`; throws when `target` does not exist. */
  abstract usage(target: string): Promise<FilesystemUsage>;
  /** The filesystem holding `target`; undefined when `target` does not exist. */
  abstract identify(target: string): Promise<FilesystemIdentity | undefined>;
}
