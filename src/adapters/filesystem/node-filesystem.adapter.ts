import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { mayBeLossy, nameFromBytes } from '../../common/file-name.js';
import { TargetPaths } from '../../registration/target-paths.port.js';
import { VolumeDirectories, type DirectoryEntryInfo } from '../../volumes/volume-directories.port.js';
import { isCode } from './errno.js';
import { SubdirectoryListing } from './subdirectory-listing.js';

/**
 * The filesystem reads of registration and of the standalone volume catalog (the measuring engine has its
 * own reader, `tree-reader.adapter.ts`). One class for both ports: they are a few stat calls each.
 */
@Injectable()
export class NodeFileSystem implements VolumeDirectories, TargetPaths {
  private readonly logger = new Logger(NodeFileSystem.name);
  /** Directories already warned about (once each, not on every discovery pass). */
  private readonly unnamable = new Set<string>();
  /**
   * The catalog lists the volumes directory on every health and volumes request and discovery pass: an unchanged
   * directory is not read again (a readdir and an lstat per volume, tens of ms of kernel time beside a large
   * cleanup on the same filesystem).
   */
  private readonly subdirectories = new SubdirectoryListing((dir) => this.readSubdirectories(dir));

  /** The subdirectories of `dir` (volumes in standalone mode), read again only once `dir` has changed. */
  listSubdirectories(dir: string): Promise<DirectoryEntryInfo[]> {
    return this.subdirectories.list(dir);
  }

  /**
   * The subdirectories of `dir`, read now. A volume's name is an identifier of the API and its root an OS path, so
   * a directory whose name is not valid UTF-8 cannot be a volume: it is left out, with a warning naming it in the
   * file-name escape.
   */
  async readSubdirectories(dir: string): Promise<DirectoryEntryInfo[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
      if (entries.some((entry) => mayBeLossy(entry.name))) entries = await this.utf8Entries(dir);
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return [];
      throw error;
    }
    const result: DirectoryEntryInfo[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const stats = await lstatOrUndefined(path.join(dir, entry.name));
      if (stats?.isDirectory()) result.push({ name: entry.name, createdAt: creationTime(stats) });
    }
    return result;
  }

  /** The entries of `dir` read as bytes, without those whose name is not valid UTF-8 (warned about once). */
  private async utf8Entries(dir: string): Promise<import('node:fs').Dirent[]> {
    const exact = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    const kept: import('node:fs').Dirent[] = [];
    for (const entry of exact) {
      const name = entry.name.toString('utf8');
      if (Buffer.from(name, 'utf8').equals(entry.name)) {
        (entry as { name: unknown }).name = name;
        kept.push(entry as unknown as import('node:fs').Dirent);
        continue;
      }
      const shown = path.join(dir, nameFromBytes(entry.name));
      if (entry.isDirectory() && !this.unnamable.has(shown)) {
        this.unnamable.add(shown);
        this.logger.warn(`${shown}: a directory whose name is not valid UTF-8 cannot be a volume; rename it to use it`);
      }
    }
    return kept;
  }

  async directoryCreatedAt(dir: string): Promise<Date | undefined> {
    const stats = await lstatOrUndefined(dir);
    return stats?.isDirectory() ? creationTime(stats) : undefined;
  }

  async ensureDirectory(dir: string): Promise<boolean> {
    if ((await lstatOrUndefined(dir))?.isDirectory()) return false;
    await fs.mkdir(dir, { recursive: true });
    return true;
  }

  async isNonDirectory(target: string): Promise<boolean> {
    const stats = await lstatOrUndefined(target);
    return stats !== undefined && !stats.isDirectory();
  }

  async isSameDirectory(candidates: readonly string[], dir: string): Promise<boolean> {
    const wanted = await statOrUndefined(dir);
    if (!wanted?.isDirectory()) return false;
    for (const candidate of candidates) {
      const stats = await statOrUndefined(candidate);
      if (stats?.isDirectory() && stats.dev === wanted.dev && stats.ino === wanted.ino) return true;
    }
    return false;
  }

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
}

async function lstatOrUndefined(target: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(target);
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EACCES')) return undefined;
    throw error;
  }
}

async function statOrUndefined(target: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(target);
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EACCES')) return undefined;
    throw error;
  }
}

function creationTime(stats: Stats): Date {
  return stats.birthtimeMs > 0 ? stats.birthtime : stats.ctime;
}
