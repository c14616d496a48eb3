import { execFileSync } from 'node:child_process';

/**
 * The independent count of a tree: distinct inodes' sizes and regular-file paths, as `find` sees them. `live`: the
 * tree changes while it is counted (files deleted meanwhile are left out rather than failing the count).
 */
export function findCount(root: string, options: { live?: boolean } = {}): { bytes: number; files: number } {
  const race = options.live ? ['-ignore_readdir_race'] : [];
  const run = (): string => execFileSync('find', [root, ...race, '-type', 'f', '-printf', '%i %s\n'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  let out: string | undefined;
  // A directory removed (emptied by cleanup) between being listed and being opened: count again (a cleanup of
  // thousands of files removes many directories, so a few counts in a row can meet one).
  for (let attempt = 1; out === undefined; attempt++) {
    try {
      out = run();
    } catch (error) {
      if (!options.live || attempt >= 20) throw error;
    }
  }
  const inodes = new Map<string, number>();
  let files = 0;
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [ino, size] = line.split(' ');
    inodes.set(ino!, Number(size));
    files++;
  }
  let bytes = 0;
  for (const size of inodes.values()) bytes += size;
  return { bytes, files };
}
