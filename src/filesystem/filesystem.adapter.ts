import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';

export interface DirectoryEntryInfo {
  readonly name: string;
  readonly createdAt: Date;
}

export interface FilesystemUsage {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly usedBytes: number;
  readonly totalInodes: number;
  readonly freeInodes: number;
}

/**
 * Every filesystem read the service needs outside the measuring and deletion engines, with intent-named
 * methods, so that services can be tested with an in-memory fake.
 */
@Injectable()
export class FileSystemAdapter {
  /** The subdirectories of `dir` (symlinks are not followed); empty when `dir` does not exist. */
  async listSubdirectories(dir: string): Promise<DirectoryEntryInfo[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return [];
      throw error;
    }
    const result: DirectoryEntryInfo[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const stats = await this.lstatOrUndefined(path.join(dir, entry.name));
      if (stats?.isDirectory()) result.push({ name: entry.name, createdAt: creationTime(stats) });
    }
    return result;
  }

  /** Creation time of a directory, or undefined when it is missing or not a directory. */
  async directoryCreatedAt(dir: string): Promise<Date | undefined> {
    const stats = await this.lstatOrUndefined(dir);
    return stats?.isDirectory() ? creationTime(stats) : undefined;
  }

  async isDirectory(dir: string): Promise<boolean> {
    return (await this.lstatOrUndefined(dir))?.isDirectory() ?? false;
  }

  /** Whether something other than a directory (a file, a fifo…) exists at `target`. */
  async isNonDirectory(target: string): Promise<boolean> {
    const stats = await this.lstatOrUndefined(target);
    return stats !== undefined && !stats.isDirectory();
  }

  /** Resolves symlinks in the longest existing prefix of `target`, then appends the missing rest. */
  async resolveExisting(target: string): Promise<string> {
    const missing: string[] = [];
    let current = path.resolve(target);
    for (;;) {
      try {
        const real = await fs.realpath(current);
        return path.join(real, ...missing.reverse());
      } catch (error) {
        if (!isCode(error, 'ENOENT') && !isCode(error, 'ENOTDIR')) throw error;
        const parent = path.dirname(current);
        if (parent === current) return path.resolve(target);
        missing.push(path.basename(current));
        current = parent;
      }
    }
  }

  /** statfs of the filesystem holding `target`. */
  async filesystemUsage(target: string): Promise<FilesystemUsage> {
    const s = await fs.statfs(target);
    const totalBytes = s.blocks * s.bsize;
    const freeBytes = s.bfree * s.bsize;
    return {
      totalBytes,
      availableBytes: s.bavail * s.bsize,
      usedBytes: totalBytes - freeBytes,
      totalInodes: s.files,
      freeInodes: s.ffree,
    };
  }

  /** The device id of the filesystem holding `target` (to group volumes by filesystem). */
  async deviceOf(target: string): Promise<number | undefined> {
    return (await this.lstatOrUndefined(target))?.dev;
  }

  /** Whether the process may write into `dir` (the data directory, at boot). */
  async canWrite(dir: string): Promise<boolean> {
    try {
      await fs.access(dir, fsConstants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  private async lstatOrUndefined(target: string): Promise<Stats | undefined> {
    try {
      return await fs.lstat(target);
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EACCES')) return undefined;
      throw error;
    }
  }
}

function creationTime(stats: Stats): Date {
  return stats.birthtimeMs > 0 ? stats.birthtime : stats.ctime;
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
