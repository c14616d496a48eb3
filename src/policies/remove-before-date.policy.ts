import { z } from 'zod';
import type { FileEntry } from '../measuring/file-entry.js';
import type { FileView } from '../measuring/file-view.js';
import { commonRules, countFiles, emptyPlan, isExcluded, isIncluded, isOldEnough, makePlan, oldEnoughAt } from './candidates.js';
import { AGE_BY, isoInstant, parseIsoInstant } from './param-types.js';
import type { Plan } from './plan.js';
import type { PolicyDefinition, PolicyParams } from './policy.js';

const DAY_MS = 86_400_000;

type AgeBy = (typeof AGE_BY)[number];

const removeBeforeDateParams = z.strictObject({
  before_date: isoInstant.optional(),
  max_age_days: z
    .number({ error: 'must be a number of days' })
    .gt(0, { error: 'must be above 0' })
    .max(365_000, { error: 'is too large' })
    .optional(),
  age_by: z.enum(AGE_BY, { error: `must be one of ${AGE_BY.join(', ')}` }).optional(),
});
export type RemoveBeforeDateParams = PolicyParams<z.infer<typeof removeBeforeDateParams>>;

/**
 * Deletes every file older than a fixed instant (`before_date`) or a rolling age (`max_age_days`). No cap:
 * expiry timers run it at the instant the oldest file expires, sweeps catch up.
 */
export const removeBeforeDatePolicy: PolicyDefinition<z.infer<typeof removeBeforeDateParams>> = {
  name: 'remove_before_date',
  summary: 'Delete every file older than before_date, or older than max_age_days.',
  params: removeBeforeDateParams,
  required: [['before_date'], ['max_age_days']],
  check: (params) =>
    params.before_date !== undefined && params.max_age_days !== undefined
      ? [['max_age_days', 'cannot be combined with before_date: give one or the other']]
      : [],
  plan: planRemoveBeforeDate,
  orderKey: (params) => params.age_by === 'ctime' ? 'ctime' : 'mtime',
};

/** The threshold, fixed or rolling. A file is "older" when its age key is strictly before `thresholdMs`. */
type Threshold =
  | { readonly kind: 'fixed'; readonly thresholdMs: number; readonly label: string }
  | { readonly kind: 'rolling'; readonly thresholdMs: number; readonly maxAgeMs: number; readonly label: string };

/**
 * Deletes every candidate whose age key (`age_by`: mtime or ctime) is strictly before the threshold, oldest
 * first, ties by path. There is no cap, so it is never blocked. `nextRunAt` is the first instant a remaining
 * in-scope, unexcluded file becomes deletable: when a rolling threshold overtakes it, or when it becomes old
 * enough under `min_age_seconds`, whichever is later. A fixed threshold never moves, so then only the
 * `min_age_seconds` wait of files already before it can produce a next run.
 *
 * Files are read oldest first, and only as far as needed: up to the threshold (what goes), then, for a rolling
 * threshold, until no later file can become deletable before the earliest instant found (the next run).
 */
export function planRemoveBeforeDate(files: FileView, params: RemoveBeforeDateParams, now: Date): Plan {
  const threshold = thresholdOf(params, now);
  if (!threshold) return emptyPlan('neither before_date nor max_age_days is set');
  const ageBy: AgeBy = params.age_by === 'ctime' ? 'ctime' : 'mtime';
  const key = (file: FileEntry): number => (ageBy === 'ctime' ? file.ctimeMs : file.mtimeMs);
  const rules = commonRules(params);

  const toDelete: FileEntry[] = [];
  let earliest = Infinity;
  for (const file of files.ordered(ageBy)) {
    const before = key(file) < threshold.thresholdMs;
    // A rolling threshold overtakes a file one millisecond after key + maxAge; a fixed one never overtakes it.
    const ageAt = threshold.kind === 'rolling' ? Math.floor(key(file) + threshold.maxAgeMs) + 1 : before ? -Infinity : Infinity;
    // Files come in key order, so none after this one becomes deletable earlier.
    if (!before && ageAt >= earliest) break;
    if (!isIncluded(file, rules) || isExcluded(file, rules)) continue;
    if (before && isOldEnough(file, rules, now)) toDelete.push(file);
    else earliest = Math.min(earliest, Math.max(ageAt, oldEnoughAt(file, rules)));
  }
  const nextRunAt = earliest === Infinity ? null : new Date(Math.max(earliest, now.getTime() + 1));
  const reason = `delete ${countFiles(toDelete.length)} with ${ageBy} before ${threshold.label}, oldest first`;
  return makePlan(toDelete, reason, null, nextRunAt);
}

function thresholdOf(params: RemoveBeforeDateParams, now: Date): Threshold | null {
  if (typeof params.before_date === 'string') {
    const instant = parseIsoInstant(params.before_date);
    if (!instant) return null;
    return { kind: 'fixed', thresholdMs: instant.getTime(), label: instant.toISOString() };
  }
  if (typeof params.max_age_days === 'number' && params.max_age_days > 0) {
    const maxAgeMs = params.max_age_days * DAY_MS;
    const thresholdMs = now.getTime() - maxAgeMs;
    const label = `${new Date(thresholdMs).toISOString()} (max_age_days ${params.max_age_days})`;
    return { kind: 'rolling', thresholdMs, maxAgeMs, label };
  }
  return null;
}
