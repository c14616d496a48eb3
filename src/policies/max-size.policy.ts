import { z } from 'zod';
import type { FileEntry } from '../measuring/file-entry.js';
import type { FileView } from '../measuring/file-view.js';
import {
  commonRules,
  countFiles,
  deletionOrder,
  describeOrder,
  describeProtected,
  emptyPlan,
  formatBytes,
  isCandidate,
  makePlan,
  sortKeyParam,
} from './candidates.js';
import { byteCount, sortBy } from './param-types.js';
import type { Plan } from './plan.js';
import type { PolicyDefinition, PolicyParams } from './policy.js';

const maxSizeParams = z.strictObject({ max_bytes: byteCount, sort_by: sortBy.optional() });
export type MaxSizeParams = PolicyParams<z.infer<typeof maxSizeParams>>;

/** Deletes files in `sort_by` order until the target's bytes are at most `max_bytes`. */
export const maxSizePolicy: PolicyDefinition<z.infer<typeof maxSizeParams>> = {
  name: 'max_size',
  summary: 'Delete files (oldest first by default) until the target holds at most max_bytes.',
  params: maxSizeParams,
  required: [['max_bytes']],
  plan: planMaxSize,
  orderKey: (params) => sortKeyParam(params),
  overCap: (tally, params) => params.max_bytes !== undefined && tally.bytes > params.max_bytes,
};

/**
 * Usage is the whole target's bytes (distinct inodes, included or not: the tally), since that is what the cap
 * limits. Files are read in `sort_by` order, candidates taken until usage is at most `max_bytes` — so a plan
 * reads about as many files as it deletes, plus the protected ones before them. If candidates run out first,
 * the plan still deletes them all and reports the target as blocked.
 *
 * Deleting a hard link frees nothing until every link of the inode in the target is gone, so an inode is
 * deleted as a unit (all its links together, at its first link's place in the order), and an inode with a
 * protected link is skipped: deleting its other links could never free a byte.
 */
export function planMaxSize(files: FileView, params: MaxSizeParams, now: Date): Plan {
  const maxBytes = params.max_bytes;
  if (typeof maxBytes !== 'number') return emptyPlan('max_bytes is not set');
  const initial = files.tally().bytes;
  if (initial <= maxBytes) return emptyPlan(`${formatBytes(initial)} is within max_bytes ${formatBytes(maxBytes)}`);

  const rules = commonRules(params);
  const order = sortKeyParam(params);
  const toDelete: FileEntry[] = [];
  /** Paths of linked inodes already decided (deleted as a unit, or pinned by a protected link). */
  const linkedDone = new Set<string>();
  let usage = initial;
  for (const file of files.ordered(order)) {
    if (usage <= maxBytes) break;
    if (!isCandidate(file, rules, now) || linkedDone.has(file.path)) continue;
    const links = files.linksOf(file);
    if (links.length > 1) {
      for (const link of links) linkedDone.add(link.path);
      if (!links.every((link) => isCandidate(link, rules, now))) continue;
      toDelete.push(...[...links].sort(deletionOrder(order)));
    } else {
      toDelete.push(file);
    }
    usage -= file.size;
  }

  const over = `${formatBytes(initial)} over max_bytes ${formatBytes(maxBytes)} by ${formatBytes(initial - maxBytes)}`;
  const reason = `${over}: delete ${countFiles(toDelete.length)}, ${describeOrder(order)}`;
  if (usage <= maxBytes) return makePlan(toDelete, reason);
  const protectedBy = describeProtected(files.entries(), rules, now);
  return makePlan(toDelete, reason, {
    reason:
      `still ${formatBytes(usage - maxBytes)} over max_bytes after deleting every deletable file` +
      (protectedBy ? ` (protected: ${protectedBy})` : ''),
    overBy: usage - maxBytes,
    unit: 'bytes',
  });
}
