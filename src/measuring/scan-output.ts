import type { FileEntry } from './file-entry.js';
import { FileColumns, releaseColumns, type PackedColumns } from './file-columns.js';
import { NameArena, type PackedNames } from './name-arena.js';
import { release } from './typed-arrays.js';

/**
 * The files of a scan, packed the way a FileIndex stores them (columns of figures, names as bytes in one buffer),
 * so that they cross from the worker thread by transfer, not by copy, and the index adopts them as its storage.
 * File i is slot i: its directory is `dirs[i]` (an index into ScanOutput.dirs). Columns may hold more slots than
 * `count` (room to grow).
 */
export interface PackedFiles extends PackedColumns, PackedNames {
  readonly count: number;
}

/**
 * The result of a scan, packed for a cheap transfer out of a worker thread: `dirs` lists every directory
 * walked (relative paths, '' for the root), `files` the files found (see PackedFiles).
 */
export interface ScanOutput {
  readonly rootExists: boolean;
  readonly rootDev: number;
  readonly rootIno: number;
  readonly dirs: string[];
  readonly files: PackedFiles;
  readonly directories: number;
  /** Entries that vanished or could not be read mid-scan (never fatal). */
  readonly errors: number;
  readonly durationMs: number;
}

/** The figures of a file, as lstat gives them. */
export type FileFigures = Omit<FileEntry, 'path'>;

/** Packs files one at a time as a scan finds them. */
export class ScanPacker {
  private columns: FileColumns;
  private names: NameArena;
  private count = 0;

  constructor(capacity = 1024) {
    this.columns = new FileColumns(capacity);
    this.names = new NameArena(capacity, capacity * 16);
  }

  get files(): number {
    return this.count;
  }

  add(dir: number, name: string, s: FileFigures): void {
    const slot = this.count;
    if (slot === this.columns.capacity) {
      this.columns.grow(slot * 2);
      this.names.growSlots(slot * 2);
    }
    this.columns.write(slot, s.size, s.blocks, s.mtimeMs, s.ctimeMs, s.dev, s.ino, s.nlink);
    this.columns.dirs[slot] = dir;
    this.names.write(slot, name);
    this.count++;
  }

  pack(): PackedFiles {
    return { count: this.count, ...this.columns.pack(), ...this.names.pack() };
  }
}

/** No files. */
export function noFiles(): PackedFiles {
  return new ScanPacker(0).pack();
}

/** The buffers of packed files, to transfer them to another thread. */
export function buffersOf(files: PackedFiles): ArrayBuffer[] {
  const { sizes, blocks, mtimes, ctimes, inos, nlinks, devs, dirs, nameStarts, nameLengths, nameBytes } = files;
  return [sizes, blocks, mtimes, ctimes, inos, nlinks, devs, dirs, nameStarts, nameLengths, nameBytes].map((c) => c.buffer as ArrayBuffer);
}

/** Frees the buffers of packed files at once (after they were copied elsewhere). */
export function releaseFiles(files: PackedFiles): void {
  releaseColumns(files);
  for (const column of [files.nameStarts, files.nameLengths, files.nameBytes]) release(column);
}

/**
 * Joins packed files into one (the parts of a split scan); each part's directory indexes shift by `dirOffsets[i]`.
 * Each part's buffers are freed as soon as it is copied, so the join holds about one part more than the result.
 */
export function joinFiles(parts: readonly PackedFiles[], dirOffsets: readonly number[]): PackedFiles {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const nameBytes = parts.reduce((n, p) => n + p.nameEnd, 0);
  // Room to grow by 1/16 before the first change has to copy every column.
  const capacity = count + (count >> 4) + 64;
  const columns = new FileColumns(capacity);
  const names = new NameArena(capacity, nameBytes + (nameBytes >> 4) + 1024);
  let at = 0;
  parts.forEach((part, k) => {
    columns.copyFrom(part, part.count, at, dirOffsets[k]!);
    names.appendPacked(part, part.count, at);
    at += part.count;
    releaseFiles(part);
  });
  return { count, ...columns.pack(), ...names.pack() };
}

/** Unpacks a ScanOutput into file entries. */
export function* entriesOf(output: ScanOutput): Generator<FileEntry> {
  const files = output.files;
  const columns = FileColumns.adopt(files);
  const names = NameArena.adopt(files, files.count);
  for (let i = 0; i < files.count; i++) {
    const dir = output.dirs[files.dirs[i]!]!;
    const name = names.nameOf(i);
    yield columns.entry(i, dir === '' ? name : `${dir}/${name}`);
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
  const f = output.files;
  const linked = new Set<string>();
  let bytes = 0;
  let diskBytes = 0;
  let files = 0;
  for (let i = 0; i < f.count; i++) {
    if (f.nlinks[i]! > 1) {
      const id = `${f.devices[f.devs[i]!]}:${f.inos[i]}`;
      if (linked.has(id)) continue;
      linked.add(id);
    }
    bytes += f.sizes[i]!;
    diskBytes += f.blocks[i]! * 512;
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
