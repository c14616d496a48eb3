import type { DirectoryEntry, PathStat, ScanOutput, TreeUsage } from './scan-output.js';

/**
 * How the measuring engine reads the disk: full scans (off the main thread), small in-thread scans of
 * directories that just appeared, and single-path reads for applying watch events. Implemented in
 * `adapters/filesystem/tree-reader.adapter.ts`. A root is an OS path as configured; every path below it (and
 * every name read) is in the file-name escape of src/common/file-name.ts, so names that are not UTF-8 are read exactly.
 */
export abstract class TreeReader {
  /** Scans `root` (below `relative`, if given); `onProgress` hears the number of files found so far. */
  abstract scan(root: string, relative?: string, onProgress?: (files: number) => void): Promise<ScanOutput>;
  /** Synchronous scan of a small subtree (a directory that just appeared), on the calling thread. */
  abstract scanNow(root: string, relative: string): ScanOutput;
  /** The usage of a whole tree (distinct inodes, one mount, no symlinks), measured off the main thread. */
  abstract usage(root: string): Promise<TreeUsage>;
  /** lstat of `relative` below `root` ('' or absent: the root itself); undefined when it does not exist or cannot be read. */
  abstract statPath(root: string, relative?: string): PathStat | undefined;
  /** The entries of a directory below `root` (names escaped); undefined when it cannot be listed (gone, not a directory, no access). */
  abstract listDirectory(root: string, relative?: string): DirectoryEntry[] | undefined;
}
