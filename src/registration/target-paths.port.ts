/** What registration checks on the disk before accepting a target. Implemented in `adapters/filesystem/`. */
export abstract class TargetPaths {
  /** Resolves symlinks in the longest existing prefix of `target`, then appends the missing rest. */
  abstract resolveExisting(target: string): Promise<string>;
  /** Whether something other than a directory (a file, a fifo…) exists at `target`. */
  abstract isNonDirectory(target: string): Promise<boolean>;
  /** Whether one of `candidates` is the directory `dir` (same device and inode), whatever its path; missing ones are not. */
  abstract isSameDirectory(candidates: readonly string[], dir: string): Promise<boolean>;
}
