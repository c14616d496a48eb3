import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import { isCode } from '../filesystem/filesystem.adapter.js';

export interface TreeUsage {
  /** Sum of st_size over distinct regular-file inodes. */
  readonly bytes: number;
  /** Sum of st_blocks*512 over the same inodes. */
  readonly diskBytes: number;
  readonly files: number;
}

/**
 * Measures a directory tree as SPEC §2 defines a tally: distinct regular-file inodes, symlinks never followed
 * nor counted, other mounts excluded; entries that vanish or cannot be read mid-walk are skipped.
 * A missing root measures as zero.
 */
export async function measureTree(root: string): Promise<TreeUsage> {
  let rootStats;
  try {
    rootStats = await lstat(root, { bigint: false });
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EACCES')) {
      return { bytes: 0, diskBytes: 0, files: 0 };
    }
    throw error;
  }
  if (rootStats.isFile()) return { bytes: rootStats.size, diskBytes: rootStats.blocks * 512, files: 1 };
  if (!rootStats.isDirectory()) return { bytes: 0, diskBytes: 0, files: 0 };

  const device = rootStats.dev;
  const linked = new Set<string>();
  let bytes = 0;
  let diskBytes = 0;
  let files = 0;
  const pending: string[] = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await opendir(dir, { bufferSize: 256 });
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EACCES')) continue;
      throw error;
    }
    for await (const entry of handle) {
      if (entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice()) continue;
      const full = path.join(dir, entry.name);
      let stats;
      try {
        stats = await lstat(full);
      } catch (error) {
        if (isCode(error, 'ENOENT') || isCode(error, 'EACCES')) continue;
        throw error;
      }
      if (stats.dev !== device) continue;
      if (stats.isDirectory()) {
        pending.push(full);
      } else if (stats.isFile()) {
        if (stats.nlink > 1) {
          const id = `${stats.ino}`;
          if (linked.has(id)) continue;
          linked.add(id);
        }
        bytes += stats.size;
        diskBytes += stats.blocks * 512;
        files++;
      }
    }
  }
  return { bytes, diskBytes, files };
}
