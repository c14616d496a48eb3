import type { FileEntry } from './file-entry.js';
import { entriesOf, type ScanOutput } from './scanner.js';

/** SPEC §2 tally: bytes and disk bytes over distinct inodes; files = regular-file paths. */
export interface Tally {
  readonly bytes: number;
  readonly diskBytes: number;
  readonly files: number;
}

export const EMPTY_TALLY: Tally = { bytes: 0, diskBytes: 0, files: 0 };

/**
 * The in-memory index of one target's regular files, grouped by directory, with a tally kept up to date
 * on every change. Hard links are counted once: the inode map holds how many indexed paths share an inode.
 * All paths are relative to the target root; '' is the root directory.
 */
export class FileIndex {
  private readonly dirs = new Map<string, Map<string, FileEntry>>();
  /** Per inode: how many indexed paths link to it, and its latest size and blocks. */
  private readonly inodes = new Map<number, { links: number; size: number; blocks: number }>();
  private bytes = 0;
  private diskBytes = 0;
  private files = 0;

  static fromScan(output: ScanOutput): FileIndex {
    const index = new FileIndex();
    index.ensureDir('');
    for (const entry of entriesOf(output)) index.upsert(entry);
    return index;
  }

  tally(): Tally {
    return { bytes: this.bytes, diskBytes: this.diskBytes, files: this.files };
  }

  get size(): number {
    return this.files;
  }

  get(path: string): FileEntry | undefined {
    const [dir, name] = split(path);
    return this.dirs.get(dir)?.get(name);
  }

  /** Adds or replaces the entry at its path. Returns whether anything changed. */
  upsert(entry: FileEntry): boolean {
    const [dir, name] = split(entry.path);
    let children = this.dirs.get(dir);
    if (!children) {
      this.ensureDir(dir);
      children = this.dirs.get(dir)!;
    }
    const previous = children.get(name);
    if (previous && sameFigures(previous, entry)) return false;
    if (previous) this.uncount(previous);
    children.set(name, entry);
    this.count(entry);
    return true;
  }

  remove(path: string): boolean {
    const [dir, name] = split(path);
    const children = this.dirs.get(dir);
    const previous = children?.get(name);
    if (!children || !previous) return false;
    children.delete(name);
    this.uncount(previous);
    return true;
  }

  /** Removes a directory and everything indexed below it. Returns the number of files dropped. */
  removeSubtree(dir: string): number {
    let dropped = 0;
    const prefix = `${dir}/`;
    for (const [path, children] of this.dirs) {
      if (path === dir || (dir === '' ? true : path.startsWith(prefix))) {
        for (const entry of children.values()) {
          this.uncount(entry);
          dropped++;
        }
        if (path === '') children.clear();
        else this.dirs.delete(path);
      }
    }
    return dropped;
  }

  /** Records that a directory exists (with its ancestors), even while empty. */
  ensureDir(dir: string): void {
    let current = dir;
    while (!this.dirs.has(current)) {
      this.dirs.set(current, new Map());
      if (current === '') return;
      current = split(current)[0];
    }
  }

  hasDir(dir: string): boolean {
    return this.dirs.has(dir);
  }

  /** The files directly in `dir` (undefined when the directory is unknown). */
  filesIn(dir: string): ReadonlyMap<string, FileEntry> | undefined {
    return this.dirs.get(dir);
  }

  /** Known directories directly below `dir`. */
  subdirectoriesOf(dir: string): string[] {
    const result: string[] = [];
    for (const path of this.dirs.keys()) {
      if (path !== '' && path !== dir && split(path)[0] === dir) result.push(path);
    }
    return result;
  }

  *entries(): Generator<FileEntry> {
    for (const children of this.dirs.values()) yield* children.values();
  }

  toArray(): FileEntry[] {
    return [...this.entries()];
  }

  /** Oldest and newest mtime over all files (null when empty). O(n): for reports, not hot paths. */
  mtimeRange(): { oldest: number; newest: number } | null {
    let oldest = Infinity;
    let newest = -Infinity;
    for (const entry of this.entries()) {
      if (entry.mtimeMs < oldest) oldest = entry.mtimeMs;
      if (entry.mtimeMs > newest) newest = entry.mtimeMs;
    }
    return this.files === 0 ? null : { oldest, newest };
  }

  private count(entry: FileEntry): void {
    this.files++;
    const inode = this.inodes.get(entry.ino);
    if (!inode) {
      this.inodes.set(entry.ino, { links: 1, size: entry.size, blocks: entry.blocks });
      this.bytes += entry.size;
      this.diskBytes += entry.blocks * 512;
      return;
    }
    // Another path to a counted inode: bytes stay counted once, at the latest figures observed.
    inode.links++;
    this.bytes += entry.size - inode.size;
    this.diskBytes += (entry.blocks - inode.blocks) * 512;
    inode.size = entry.size;
    inode.blocks = entry.blocks;
  }

  private uncount(entry: FileEntry): void {
    this.files--;
    const inode = this.inodes.get(entry.ino);
    if (!inode) return;
    inode.links--;
    if (inode.links === 0) {
      this.inodes.delete(entry.ino);
      this.bytes -= inode.size;
      this.diskBytes -= inode.blocks * 512;
    }
  }
}

/** Splits `a/b/c` into [`a/b`, `c`] and `c` into [``, `c`]. */
export function split(path: string): [string, string] {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
}

function sameFigures(a: FileEntry, b: FileEntry): boolean {
  return a.size === b.size && a.blocks === b.blocks && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.nlink === b.nlink;
}
