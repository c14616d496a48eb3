import type { FileEntry } from './file-entry.js';

/** SPEC §2 tally: bytes and disk bytes over distinct inodes; files = regular-file paths. */
export interface Tally {
  readonly bytes: number;
  readonly diskBytes: number;
  readonly files: number;
}

export const EMPTY_TALLY: Tally = { bytes: 0, diskBytes: 0, files: 0 };

/** The orders a policy reads files in (`sort_by`, `age_by`). */
export const ORDER_KEYS = ['mtime', 'ctime', 'size'] as const;
export type OrderKey = (typeof ORDER_KEYS)[number];

/**
 * What a policy plans over: a target's files, read in the order it needs and only as far as it needs. Entries
 * are made one at a time as they are read; nothing here holds one object per file. The live index is one
 * (FileIndex), an array another (ArrayFileView, for specs and benchmarks). Reads are synchronous; the view must
 * not change during one (an ordered read throws if it does).
 */
export interface FileView {
  /** Number of files (paths). */
  readonly size: number;
  tally(): Tally;
  /** Every file, in no particular order. */
  entries(): Iterable<FileEntry>;
  /**
   * Files in deletion order for `key` (SPEC §4): mtime and ctime oldest first, size largest first, ties by path
   * (plain code-unit order); `reverse` gives exactly the reverse.
   */
  ordered(key: OrderKey, reverse?: boolean): Iterable<FileEntry>;
  has(path: string): boolean;
  /** Every path of the view to the same inode as `entry`, `entry` included (one entry when not hard-linked). */
  linksOf(entry: FileEntry): readonly FileEntry[];
}

/** Plain code-unit order, independent of locale, so plans are identical everywhere. */
export function comparePaths(a: FileEntry, b: FileEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Ascending primary key of the deletion order for `key`. */
export function orderValue(key: OrderKey, file: FileEntry): number {
  return key === 'size' ? -file.size : key === 'ctime' ? file.ctimeMs : file.mtimeMs;
}

/** Deletion order for `key`: oldest mtime / oldest ctime / largest first; ties by path. */
export function deletionOrder(key: OrderKey): (a: FileEntry, b: FileEntry) => number {
  return (a, b) => {
    const ka = orderValue(key, a);
    const kb = orderValue(key, b);
    return ka < kb ? -1 : ka > kb ? 1 : comparePaths(a, b);
  };
}

/**
 * Identity of the inode behind a path. An entry without an inode number (0: not stat'ed) is its own inode,
 * so it is never merged with an unrelated file.
 */
export function inodeKey(file: FileEntry): string {
  return file.ino === 0 ? `path:${file.path}` : `${file.dev}:${file.ino}`;
}

/** A view over an array of entries: each order is a full sort, made the first time it is read. */
export class ArrayFileView implements FileView {
  private readonly sorted = new Map<OrderKey, FileEntry[]>();
  private paths: Set<string> | undefined;
  private links: Map<string, FileEntry[]> | undefined;

  constructor(private readonly files: readonly FileEntry[]) {}

  get size(): number {
    return this.files.length;
  }

  tally(): Tally {
    const seen = new Set<string>();
    let bytes = 0;
    let diskBytes = 0;
    for (const file of this.files) {
      const key = inodeKey(file);
      if (seen.has(key)) continue;
      seen.add(key);
      bytes += file.size;
      diskBytes += file.blocks * 512;
    }
    return { bytes, diskBytes, files: this.files.length };
  }

  entries(): Iterable<FileEntry> {
    return this.files;
  }

  ordered(key: OrderKey, reverse = false): Iterable<FileEntry> {
    let sorted = this.sorted.get(key);
    if (!sorted) {
      sorted = [...this.files].sort(deletionOrder(key));
      this.sorted.set(key, sorted);
    }
    return reverse ? [...sorted].reverse() : sorted;
  }

  has(path: string): boolean {
    this.paths ??= new Set(this.files.map((file) => file.path));
    return this.paths.has(path);
  }

  linksOf(entry: FileEntry): readonly FileEntry[] {
    if (!this.links) {
      this.links = new Map();
      for (const file of this.files) {
        const group = this.links.get(inodeKey(file));
        if (group) group.push(file);
        else this.links.set(inodeKey(file), [file]);
      }
    }
    return this.links.get(inodeKey(entry)) ?? [entry];
  }
}
