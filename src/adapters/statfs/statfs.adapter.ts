import { promises as fs } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { FilesystemStats, type FilesystemUsage } from '../../tiers/filesystem-stats.port.js';
import { isCode } from '../filesystem/errno.js';

/** Filesystem figures through statfs(2) and lstat(2). */
@Injectable()
export class StatfsAdapter extends FilesystemStats {
  async usage(target: string): Promise<FilesystemUsage> {
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

  async deviceOf(target: string): Promise<number | undefined> {
    try {
      return (await fs.lstat(target)).dev;
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EACCES')) return undefined;
      throw error;
    }
  }
}
