import type { FileEntry } from '../measuring/file-entry.js';
import type { Plan } from './plan.js';

/** Builders for policy specs: a fixed planning instant and terse FileEntry construction. */

/** The planning instant of every policy spec. */
export const NOW = new Date('2026-03-01T12:00:00Z');

export interface FileOptions {
  readonly size?: number;
  /** Seconds since the last modification, before NOW (default 3600: old enough for the default min_age). */
  readonly ageSeconds?: number;
  /** Seconds since the last status change, before NOW (default: ageSeconds). */
  readonly ctimeAgeSeconds?: number;
  readonly dev?: number;
  /** Default: a fresh inode number, so files are distinct unless a spec links them. */
  readonly ino?: number;
  readonly nlink?: number;
}

let lastIno = 1000;

export function file(path: string, options: FileOptions = {}): FileEntry {
  const size = options.size ?? 100;
  const ageSeconds = options.ageSeconds ?? 3600;
  return {
    path,
    size,
    blocks: Math.ceil(size / 512),
    mtimeMs: NOW.getTime() - ageSeconds * 1000,
    ctimeMs: NOW.getTime() - (options.ctimeAgeSeconds ?? ageSeconds) * 1000,
    dev: options.dev ?? 1,
    ino: options.ino ?? ++lastIno,
    nlink: options.nlink ?? 1,
  };
}

/** The deleted paths of a plan, in deletion order. */
export function deletedPaths(plan: Plan): string[] {
  return plan.delete.map((entry) => entry.path);
}

export const SECOND = 1;
export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;
