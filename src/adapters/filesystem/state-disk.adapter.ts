import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { StateDisk } from '../../event-log/state-disk.port.js';
import { isCode } from './errno.js';

/** The reserve file's name in the data directory: an operator may delete it by hand to free its size at once. */
export const RESERVE_FILE = 'storage-manager.reserve';
const CHUNK = 1024 * 1024;

@Injectable()
export class StateDiskAdapter extends StateDisk {
  readonly directory: string;
  private readonly file: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.directory = config.dataDir;
    this.file = path.join(config.dataDir, RESERVE_FILE);
    // On PostgreSQL nothing else creates the data directory before the reserve is made at start.
    try {
      mkdirSync(this.directory, { recursive: true });
    } catch {
      // Reported by the first statfs (StateDiskService), which does not stop start-up.
    }
  }

  availableBytes(): number {
    const s = statfsSync(this.directory);
    return s.bavail * s.bsize;
  }

  reserveBytes(): number {
    try {
      return lstatSync(this.file).size;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return 0;
      throw error;
    }
  }

  // Written in 1 MiB chunks of zeros and fsynced: the blocks are allocated, so releasing the file frees them.
  // (A sync loop: at 32 MiB it takes tens of milliseconds, once at start and once after each recovery.)
  async createReserve(bytes: number): Promise<void> {
    const temporary = `${this.file}.partial`;
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      const zeros = Buffer.alloc(Math.min(CHUNK, bytes));
      for (let written = 0; written < bytes; ) {
        written += writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - written));
        if (written % (8 * CHUNK) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      fsyncSync(fd);
      closeSync(fd);
    } catch (error) {
      closeSync(fd);
      unlinkSync(temporary);
      throw error;
    }
    // Only a whole reserve ever carries the name: a crash mid-write leaves a `.partial` file, replaced next time.
    renameSync(temporary, this.file);
  }

  releaseReserve(): number {
    const bytes = this.reserveBytes();
    for (const file of [this.file, `${this.file}.partial`]) {
      try {
        unlinkSync(file);
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
      }
    }
    return bytes;
  }
}
