import { z } from 'zod';
import type { FileEntry } from '../measuring/file-entry.js';
import type { FileView } from '../measuring/file-view.js';
import {
  commonRules,
  countFiles,
  describeOrder,
  describeProtected,
  emptyPlan,
  isExcluded,
  isIncluded,
  isOldEnough,
  makePlan,
  sortKeyParam,
} from './candidates.js';
import { fileCount, sortBy } from './param-types.js';
import type { Plan } from './plan.js';
import type { PolicyDefinition, PolicyParams } from './policy.js';

const keepNLatestParams = z.strictObject({ keep_count: fileCount, sort_by: sortBy.optional() });
export type KeepNLatestParams = PolicyParams<z.infer<typeof keepNLatestParams>>;

/** Keeps the `keep_count` latest files; deletes the rest in `sort_by` order. */
export const keepNLatestPolicy: PolicyDefinition<z.infer<typeof keepNLatestParams>> = {
  name: 'keep_n_latest',
  summary: 'Keep only the keep_count most recent files; delete the others.',
  params: keepNLatestParams,
  required: [['keep_count']],
  plan: planKeepNLatest,
  orderKey: (params) => sortKeyParam(params),
  overCap: (tally, params) => params.keep_count !== undefined && tally.files > params.keep_count,
};

/**
 * The scope is every included file (protected ones too: they are still files the user counts). The last
 * `keep_count` of the scope in deletion order are the "latest" (newest mtime/ctime, or smallest for `size`)
 * and are always kept; the others are deleted in deletion order unless protected. A protected file among the
 * others is never compensated for by deleting one of the latest: the target is reported as blocked instead.
 * Files are counted by path, so each hard link is one file.
 *
 * Only the older files are read, in deletion order (the latest are never visited). The scope's size is the
 * view's when there is no `include`; with one, counting it reads every path once (no sort).
 */
export function planKeepNLatest(files: FileView, params: KeepNLatestParams, now: Date): Plan {
  const keepCount = params.keep_count;
  if (typeof keepCount !== 'number') return emptyPlan('keep_count is not set');
  const rules = commonRules(params);
  let scope = files.size;
  if (rules.include !== null) {
    scope = 0;
    for (const file of files.entries()) if (isIncluded(file, rules)) scope++;
  }
  if (scope <= keepCount) return emptyPlan(`${countFiles(scope)}, within keep_count ${keepCount}`);

  const order = sortKeyParam(params);
  const toDelete: FileEntry[] = [];
  const protectedOlder: FileEntry[] = [];
  let older = 0;
  for (const file of files.ordered(order)) {
    if (older >= scope - keepCount) break;
    if (!isIncluded(file, rules)) continue;
    older++;
    if (!isExcluded(file, rules) && isOldEnough(file, rules, now)) toDelete.push(file);
    else protectedOlder.push(file);
  }
  const reason =
    `${countFiles(scope)}, over keep_count ${keepCount} by ${scope - keepCount}: ` +
    `delete ${countFiles(toDelete.length)}, ${describeOrder(order)}`;
  const remaining = scope - toDelete.length;
  if (remaining <= keepCount) return makePlan(toDelete, reason);
  return makePlan(toDelete, reason, {
    reason:
      `still ${countFiles(remaining)} after deleting every deletable file, over keep_count ${keepCount} ` +
      `(protected: ${describeProtected(protectedOlder, rules, now)})`,
    overBy: remaining - keepCount,
    unit: 'files',
  });
}
