import type { FileEntry } from './file-entry.js';

/** Number of numeric fields packed per file in a ScanOutput. */
export const FIELDS = 7;

/**
 * The result of a scan, packed for a cheap transfer out of a worker thread: `dirs` lists every directory
 * walked (relative paths, '' for the root); file i is `names[i]` in `dirs[fileDirs[i]]`, with
 * `numbers[i*FIELDS .. i*FIELDS+6]` = size, blocks, mtimeMs, ctimeMs, dev, ino, nlink.
 */
export interface ScanOutput {
  readonly rootExists: boolean;
  readonly rootDev: number;
  readonly rootIno: number;
  readonly dirs: string[];
  readonly fileDirs: Int32Array;
  readonly names: string[];
  readonly numbers: Float64Array;
  readonly directories: number;
  /** Entries that vanished or could not be read mid-scan (never fatal). */
  readonly errors: number;
  readonly durationMs: number;
}

/** Unpacks a ScanOutput into file entries. */
export function* entriesOf(output: ScanOutput): Generator<FileEntry> {
  const n = output.numbers;
  for (let i = 0; i < output.names.length; i++) {
    const o = i * FIELDS;
    const dir = output.dirs[output.fileDirs[i]!]!;
    const name = output.names[i]!;
    yield { path: dir === '' ? name : `${dir}/${name}`, size: n[o]!, blocks: n[o + 1]!, mtimeMs: n[o + 2]!, ctimeMs: n[o + 3]!, dev: n[o + 4]!, ino: n[o + 5]!, nlink: n[o + 6]! };
  }
}

/** Usage of a directory tree as SPEC §2 defines a tally. */
export interface TreeUsage {
  /** Sum of st_size over distinct regular-file inodes. */
  readonly bytes: number;
  /** Sum of st_blocks*512 over the same inodes. */
  readonly diskBytes: number;
  readonly files: number;
}

/** The tally of a scan: distinct inodes (hard links count once). */
export function usageOf(output: ScanOutput): TreeUsage {
  const n = output.numbers;
  const linked = new Set<string>();
  let bytes = 0;
  let diskBytes = 0;
  let files = 0;
  for (let o = 0; o < n.length; o += FIELDS) {
    if (n[o + 6]! > 1) {
      const id = `${n[o + 4]}:${n[o + 5]}`;
      if (linked.has(id)) continue;
      linked.add(id);
    }
    bytes += n[o]!;
    diskBytes += n[o + 1]! * 512;
    files++;
  }
  return { bytes, diskBytes, files };
}

/** A FileEntry from lstat figures. */
export function entryFromStats(path: string, s: PathStat): FileEntry {
  return { path, size: s.size, blocks: s.blocks, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, dev: s.dev, ino: s.ino, nlink: s.nlink };
}

/** What the measuring engine reads of one path: a file entry's figures and its kind (node's `fs.Stats` has this shape). */
export interface PathStat extends Omit<FileEntry, 'path'> {
  isFile(): boolean;
  isDirectory(): boolean;
}

/** One entry of a directory listing (node's `fs.Dirent` has this shape). */
export interface DirectoryEntry {
  readonly name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}
