import type { DirectoryEntry, PathStat, ScanOutput, TreeUsage } from './scan-output.js';

/**
 * How the measuring engine reads the disk: full scans (off the main thread), small in-thread scans of
 * directories that just appeared, and single-path reads for applying watch events. Implemented in
 * `adapters/filesystem/tree-reader.adapter.ts`.
 */
export abstract class TreeReader {
  /** Scans `root` (below `relative`, if given); `onProgress` hears the number of files found so far. */
  abstract scan(root: string, relative?: string, onProgress?: (files: number) => void): Promise<ScanOutput>;
  /** Synchronous scan of a small subtree (a directory that just appeared), on the calling thread. */
  abstract scanNow(root: string, relative: string): ScanOutput;
  /** The usage of a whole tree (distinct inodes, one mount, no symlinks), measured off the main thread. */
  abstract usage(root: string): Promise<TreeUsage>;
  /** lstat of one path; undefined when it does not exist. */
  abstract statPath(absolute: string): PathStat | undefined;
  /** The entries of a directory; undefined when it cannot be listed (gone, not a directory, no access). */
  abstract listDirectory(absolute: string): DirectoryEntry[] | undefined;
}
