import type { FileEntry } from '../measuring/file-entry.js';
import { FileIndex } from '../measuring/file-index.js';
import { ArrayFileView, type FileView } from '../measuring/file-view.js';
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

/** A FileIndex holding `files` (the live view policies plan over in the service). */
export function indexOf(files: readonly FileEntry[]): FileIndex {
  const index = new FileIndex();
  for (const entry of files) index.upsert(entry);
  return index;
}

/**
 * A policy's planner over an array, for scenario specs: it plans over an array-backed view and over a FileIndex
 * holding the same files, and throws when the two plans differ, so every scenario checks the kept orders too.
 */
export function overArray<P>(plan: (files: FileView, params: P, now: Date) => Plan): (files: readonly FileEntry[], params: P, now: Date) => Plan {
  return (files, params, now) => {
    const fromArray = plan(new ArrayFileView(files), params, now);
    const fromIndex = plan(indexOf(files), params, now);
    if (JSON.stringify(fromIndex) !== JSON.stringify(fromArray)) {
      throw new Error(`plans differ:\n  array: ${JSON.stringify(fromArray)}\n  index: ${JSON.stringify(fromIndex)}`);
    }
    return fromArray;
  };
}
