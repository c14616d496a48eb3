import { lstatSync, type Dirent, type Stats } from 'node:fs';
import { osPath } from '../../common/file-name.js';
import { noFiles, ScanPacker, type ScanOutput } from '../../measuring/scan-output.js';
import { readDirectory } from './exact-names.js';

/** How often (in files) a long scan reports its progress. */
export const PROGRESS_EVERY = 50_000;

/**
 * Walks a directory tree synchronously (run it in a worker thread for big trees): regular files only,
 * symlinks never followed nor counted, directories on other mounts skipped, ENOENT/EACCES tolerated. FIFOs,
 * sockets and devices are skipped by their directory entry (never opened). Iterative: any depth. Names and
 * paths are in the file-name escape (src/common/file-name.ts); `root` is an OS path, never escaped.
 * `relative` limits the walk to a subdirectory of `root` (paths stay relative to `root`). `part` splits a
 * walk between threads: part i of n takes every n-th directory of the top level (and part 0 the files there).
 */
export function scanTree(
  root: string,
  relative = '',
  part: { index: number; of: number } = { index: 0, of: 1 },
  onProgress?: (files: number) => void,
  progressEvery = PROGRESS_EVERY,
): ScanOutput {
  const started = performance.now();
  const rootStats = lstatSync(root, { throwIfNoEntry: false });
  if (!rootStats?.isDirectory()) {
    return {
      rootExists: false,
      rootDev: 0,
      rootIno: 0,
      dirs: [],
      files: noFiles(),
      directories: 0,
      errors: 0,
      durationMs: 0,
    };
  }
  const device = rootStats.dev;
  const dirs: string[] = [];
  const packer = new ScanPacker();
  let directories = 0;
  let errors = 0;
  const push = (dirIndex: number, name: string, s: Stats): void => {
    packer.add(dirIndex, name, s);
    if (onProgress && packer.files % progressEvery === 0) onProgress(packer.files);
  };

  const pending: string[] = [relative];
  if (relative !== '') {
    const start = lstatQuietly(osPath(root, relative));
    if (!start?.isDirectory() || start.dev !== device) pending.pop();
  }
  let topLevel = part.of > 1;
  let topIndex = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const top = topLevel;
    topLevel = false;
    let entries: Dirent[];
    try {
      entries = readDirectory(osPath(root, dir));
    } catch {
      errors++;
      continue;
    }
    const dirIndex = dirs.push(dir) - 1;
    directories++;
    if (top) directories--; // every part lists the top level; count it once (in part 0)
    if (top && part.index === 0) directories++;
    for (const entry of entries) {
      if (entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()) continue;
      if (top && (entry.isDirectory() ? topIndex++ % part.of !== part.index : part.index !== 0)) continue;
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      const stats = lstatQuietly(osPath(root, path));
      if (!stats) {
        errors++;
        continue;
      }
      if (stats.isFile()) push(dirIndex, entry.name, stats);
      else if (stats.isDirectory() && stats.dev === device) pending.push(path);
    }
  }
  return {
    rootExists: true,
    rootDev: rootStats.dev,
    rootIno: rootStats.ino,
    dirs,
    files: packer.pack(),
    directories,
    errors,
    durationMs: performance.now() - started,
  };
}

/** lstat, or undefined when the entry is gone or cannot be read (EACCES, ENAMETOOLONG beyond PATH_MAX): counted as an error. */
function lstatQuietly(path: string | Buffer): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
