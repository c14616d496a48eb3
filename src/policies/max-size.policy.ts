import { z } from 'zod';
import type { FileEntry } from '../measuring/file-entry.js';
import {
  commonRules,
  countFiles,
  describeOrder,
  describeProtected,
  distinctBytes,
  emptyPlan,
  formatBytes,
  inodeKey,
  isCandidate,
  makePlan,
  sortForDeletion,
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
  overCap: (tally, params) => params.max_bytes !== undefined && tally.bytes > params.max_bytes,
};

/**
 * Usage is the whole target's bytes (distinct inodes, included or not), since that is what the cap limits.
 * Candidates are deleted in `sort_by` order until usage is at most `max_bytes`; if they run out first, the
 * plan still deletes them all and reports the target as blocked.
 */
export function planMaxSize(files: readonly FileEntry[], params: MaxSizeParams, now: Date): Plan {
  const maxBytes = params.max_bytes;
  if (typeof maxBytes !== 'number') return emptyPlan('max_bytes is not set');
  const initial = distinctBytes(files);
  if (initial <= maxBytes) return emptyPlan(`${formatBytes(initial)} is within max_bytes ${formatBytes(maxBytes)}`);

  const rules = commonRules(params);
  const order = sortKeyParam(params);
  const candidates = sortForDeletion(
    files.filter((file) => isCandidate(file, rules, now)),
    order,
  );
  const units = inodeUnits(files, candidates);
  const toDelete: FileEntry[] = [];
  let usage = initial;
  for (const unit of units) {
    if (usage <= maxBytes) break;
    toDelete.push(...unit);
    usage -= unit[0]!.size;
  }

  const over = `${formatBytes(initial)} over max_bytes ${formatBytes(maxBytes)} by ${formatBytes(initial - maxBytes)}`;
  const reason = `${over}: delete ${countFiles(toDelete.length)}, ${describeOrder(order)}`;
  if (usage <= maxBytes) return makePlan(toDelete, reason);
  const protectedBy = describeProtected(files, rules, now);
  return makePlan(toDelete, reason, {
    reason:
      `still ${formatBytes(usage - maxBytes)} over max_bytes after deleting every deletable file` +
      (protectedBy ? ` (protected: ${protectedBy})` : ''),
    overBy: usage - maxBytes,
    unit: 'bytes',
  });
}

/**
 * Groups the ordered candidates by inode, each group placed at its first link's position. Deleting a hard
 * link frees nothing until every link of the inode in the target is gone, so an inode is deleted as a unit
 * (all its links together), and an inode with a protected link is skipped: deleting its other links could
 * never free a byte. Links of one inode share mtime, ctime and size, so the order is otherwise unchanged.
 */
function inodeUnits(files: readonly FileEntry[], orderedCandidates: readonly FileEntry[]): FileEntry[][] {
  const candidateKeys = new Set(orderedCandidates.map((file) => file.path));
  const pinned = new Set(files.filter((file) => !candidateKeys.has(file.path)).map(inodeKey));
  const units = new Map<string, FileEntry[]>();
  for (const file of orderedCandidates) {
    const key = inodeKey(file);
    if (pinned.has(key)) continue;
    const unit = units.get(key);
    if (unit) unit.push(file);
    else units.set(key, [file]);
  }
  return [...units.values()];
}
