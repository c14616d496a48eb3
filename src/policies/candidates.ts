import picomatch from 'picomatch';
import type { FileEntry } from '../measuring/file-entry.js';
import { comparePaths, deletionOrder, inodeKey } from '../measuring/file-view.js';
import { SORT_BY } from './param-types.js';
import type { Plan } from './plan.js';

/**
 * The common-parameter logic every policy shares (SPEC §4): which files are deletable (`include`, `exclude`,
 * `min_age_seconds`), in which order (`sort_by`), and how hard links are tallied. Everything here is pure.
 * Params arrive exactly as the user stored them (already validated), so defaults are applied here.
 */

export type SortKey = (typeof SORT_BY)[number];

export const DEFAULT_MIN_AGE_SECONDS = 60;
export const DEFAULT_SORT_BY: SortKey = 'mtime';

/** Tests a target-relative path. */
export type PathMatcher = (path: string) => boolean;

export interface CommonRules {
  /** Null when `include` is absent: every file is in scope. */
  readonly include: PathMatcher | null;
  /** Null when `exclude` is absent: nothing is protected by pattern. */
  readonly exclude: PathMatcher | null;
  readonly minAgeMs: number;
}

export function commonRules(params: Readonly<Record<string, unknown>>): CommonRules {
  return {
    include: globMatcher(params.include),
    exclude: globMatcher(params.exclude),
    minAgeMs: numberParam(params, 'min_age_seconds', DEFAULT_MIN_AGE_SECONDS) * 1000,
  };
}

export function sortKeyParam(params: Readonly<Record<string, unknown>>): SortKey {
  const value = params.sort_by;
  return (SORT_BY as readonly unknown[]).includes(value) ? (value as SortKey) : DEFAULT_SORT_BY;
}

/** A numeric param, or `fallback` when it is absent (params are validated upstream, so nothing else arrives). */
export function numberParam(params: Readonly<Record<string, unknown>>, name: string, fallback: number): number {
  const value = params[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * Builds a matcher from a glob or a list of globs; null when there are none. Dotfiles match (`dot: true`).
 * A pattern without '/' matches the basename at any depth (`*.tmp` matches `a/b/x.tmp`); a pattern with
 * '/' matches the whole relative path. picomatch's own `basename` option is not used because it applies to
 * every pattern, so `cache/*.tmp` would never match.
 */
export function globMatcher(globs: unknown): PathMatcher | null {
  const list = (Array.isArray(globs) ? globs : [globs]).filter((g): g is string => typeof g === 'string' && g !== '');
  if (list.length === 0) return null;
  const tests = list.map((glob) => {
    const test = picomatch(glob, { dot: true });
    return glob.includes('/') ? test : (path: string) => test(basename(path));
  });
  return (path) => tests.some((test) => test(path));
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Directory part of a relative path, '' at the target root. */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** In the policy's scope: `include` absent, or matching. Says nothing about protection. */
export function isIncluded(file: FileEntry, rules: CommonRules): boolean {
  return rules.include === null || rules.include(file.path);
}

/** Protected by `exclude`, whatever else applies. */
export function isExcluded(file: FileEntry, rules: CommonRules): boolean {
  return rules.exclude !== null && rules.exclude(file.path);
}

/** Modified at least `min_age_seconds` ago; a younger file may still be being written. */
export function isOldEnough(file: FileEntry, rules: CommonRules, now: Date): boolean {
  return now.getTime() - file.mtimeMs >= rules.minAgeMs;
}

/** The first whole millisecond at which `file` is old enough under `min_age_seconds`. */
export function oldEnoughAt(file: FileEntry, rules: CommonRules): number {
  return Math.ceil(file.mtimeMs + rules.minAgeMs);
}

/** Deletable under the common rules: included, not excluded, old enough. */
export function isCandidate(file: FileEntry, rules: CommonRules, now: Date): boolean {
  return isIncluded(file, rules) && !isExcluded(file, rules) && isOldEnough(file, rules, now);
}

export { comparePaths, deletionOrder, inodeKey };

/**
 * A full sort in deletion order (the order a FileView keeps incrementally; see file-view.ts). For small lists and
 * as the reference the kept orders are checked against.
 */
export function sortForDeletion(files: readonly FileEntry[], sortBy: SortKey): FileEntry[] {
  return [...files].sort(deletionOrder(sortBy));
}

/** Bytes held by `files`: size once per distinct inode, as the tally counts them (SPEC §2). */
export function distinctBytes(files: Iterable<FileEntry>): number {
  const seen = new Set<string>();
  let bytes = 0;
  for (const file of files) {
    const key = inodeKey(file);
    if (seen.has(key)) continue;
    seen.add(key);
    bytes += file.size;
  }
  return bytes;
}

export function sumSizes(files: readonly FileEntry[]): number {
  return files.reduce((sum, file) => sum + file.size, 0);
}

export function emptyPlan(reason: string): Plan {
  return { delete: [], bytes: 0, reason, blocked: null, nextRunAt: null };
}

/** Assembles a plan; `bytes` is always the sum of the deleted files' sizes. */
export function makePlan(
  toDelete: readonly FileEntry[],
  reason: string,
  blocked: Plan['blocked'] = null,
  nextRunAt: Date | null = null,
): Plan {
  return { delete: toDelete, bytes: sumSizes(toDelete), reason, blocked, nextRunAt };
}

/** "3 files" / "1 file". */
export function countFiles(count: number): string {
  return `${count} ${count === 1 ? 'file' : 'files'}`;
}

export { formatBytes } from '../common/format.js';

/** Human wording of a deletion order, for reasons. */
export function describeOrder(sortBy: SortKey): string {
  return sortBy === 'size' ? 'largest first' : sortBy === 'ctime' ? 'oldest changed first' : 'oldest modified first';
}

/**
 * Why the files that `isCandidate` rejects are protected ("2 excluded, 1 too young"), so a blocked target
 * tells the operator what to change. Empty when nothing is protected.
 */
export function describeProtected(files: Iterable<FileEntry>, rules: CommonRules, now: Date): string {
  let outside = 0;
  let excluded = 0;
  let young = 0;
  for (const file of files) {
    if (!isIncluded(file, rules)) outside++;
    else if (isExcluded(file, rules)) excluded++;
    else if (!isOldEnough(file, rules, now)) young++;
  }
  const parts = [
    excluded > 0 ? `${excluded} excluded` : '',
    young > 0 ? `${young} younger than min_age_seconds` : '',
    outside > 0 ? `${outside} outside include` : '',
  ];
  return parts.filter((part) => part !== '').join(', ');
}
