export interface DirectoryEntryInfo {
  readonly name: string;
  readonly createdAt: Date;
}

/** What the standalone volume catalog reads of the disk. Implemented in `adapters/filesystem/`. */
export abstract class VolumeDirectories {
  /** The subdirectories of `dir` (symlinks are not followed); empty when `dir` does not exist. */
  abstract listSubdirectories(dir: string): Promise<DirectoryEntryInfo[]>;
  /** Creation time of a directory, or undefined when it is missing or not a directory. */
  abstract directoryCreatedAt(dir: string): Promise<Date | undefined>;
  /** Creates `dir` (and its parents) when missing; returns whether it had to be created. */
  abstract ensureDirectory(dir: string): Promise<boolean>;
}
