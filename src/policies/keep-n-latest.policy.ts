import { z } from 'zod';
import type { FileEntry } from '../measuring/file-entry.js';
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
  sortForDeletion,
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
  overCap: (tally, params) => params.keep_count !== undefined && tally.files > params.keep_count,
};

/**
 * The scope is every included file (protected ones too: they are still files the user counts). The last
 * `keep_count` of the scope in deletion order are the "latest" (newest mtime/ctime, or smallest for `size`)
 * and are always kept; the others are deleted in deletion order unless protected. A protected file among the
 * others is never compensated for by deleting one of the latest: the target is reported as blocked instead.
 * Files are counted by path, so each hard link is one file.
 */
export function planKeepNLatest(files: readonly FileEntry[], params: KeepNLatestParams, now: Date): Plan {
  const keepCount = params.keep_count;
  if (typeof keepCount !== 'number') return emptyPlan('keep_count is not set');
  const rules = commonRules(params);
  const scope = files.filter((file) => isIncluded(file, rules));
  if (scope.length <= keepCount) return emptyPlan(`${countFiles(scope.length)}, within keep_count ${keepCount}`);

  const order = sortKeyParam(params);
  const older = sortForDeletion(scope, order).slice(0, scope.length - keepCount);
  const toDelete = older.filter((file) => !isExcluded(file, rules) && isOldEnough(file, rules, now));
  const reason =
    `${countFiles(scope.length)}, over keep_count ${keepCount} by ${scope.length - keepCount}: ` +
    `delete ${countFiles(toDelete.length)}, ${describeOrder(order)}`;
  const remaining = scope.length - toDelete.length;
  if (remaining <= keepCount) return makePlan(toDelete, reason);
  return makePlan(toDelete, reason, {
    reason:
      `still ${countFiles(remaining)} after deleting every deletable file, over keep_count ${keepCount} ` +
      `(protected: ${describeProtected(older, rules, now)})`,
    overBy: remaining - keepCount,
    unit: 'files',
  });
}
