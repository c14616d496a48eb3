import { z } from 'zod';

/** Shared building blocks of policy parameter schemas. */

export const SORT_BY = ['mtime', 'ctime', 'size'] as const;
export const AGE_BY = ['mtime', 'ctime'] as const;

export const byteCount = z
  .number({ error: 'must be a number of bytes' })
  .int({ error: 'must be a whole number of bytes' })
  .min(0, { error: 'must be 0 or more' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

export const fileCount = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be 0 or more' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

export const sortBy = z.enum(SORT_BY, { error: `must be one of ${SORT_BY.join(', ')}` });

const glob = z
  .string({ error: 'must be a glob string' })
  .min(1, { error: 'must not be empty' })
  .max(1024, { error: 'must be at most 1024 characters' })
  .refine((value) => !value.includes('\0'), { error: 'must not contain NUL' })
  .refine((value) => !value.split('/').includes('..'), { error: "must not contain '..'" });

export const globList = z.union([glob, z.array(glob, { error: 'must be a glob or a list of globs' }).max(100)], {
  error: 'must be a glob or a list of globs',
});

/** Parameters every policy accepts (SPEC §4, common params). All optional. */
export const commonParams = {
  include: globList.optional(),
  exclude: globList.optional(),
  min_age_seconds: z
    .number({ error: 'must be a number of seconds' })
    .min(0, { error: 'must be 0 or more' })
    .max(10 * 365 * 86400, { error: 'is too large' })
    .optional(),
  delete_empty_dirs: z.boolean({ error: 'must be true or false' }).optional(),
  dry_run: z.boolean({ error: 'must be true or false' }).optional(),
  priority: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(-1_000_000, { error: 'must be -1000000 or more' })
    .max(1_000_000, { error: 'must be 1000000 or less' })
    .optional(),
  watch: z.union([z.boolean(), z.literal('poll')], { error: 'must be true, false or "poll"' }).optional(),
  warning_bytes: byteCount.optional(),
  critical_bytes: byteCount.optional(),
} as const;

/** Parameters allowed inside `emergency`, besides the policy's own. */
export const emergencyCommonParams = {
  include: commonParams.include,
  exclude: commonParams.exclude,
  min_age_seconds: commonParams.min_age_seconds,
} as const;

/**
 * ISO 8601 instant with an explicit zone (`2026-01-15T08:30:00Z`, `...+02:00`), or a plain date
 * (`2026-01-15`, midnight UTC). A date-time without a zone is ambiguous and rejected.
 */
export const isoInstant = z
  .string({ error: 'must be an ISO 8601 date or date-time string' })
  .refine((value) => parseIsoInstant(value) !== undefined, {
    error: 'must be an ISO 8601 date (2026-01-15) or date-time with a time zone (2026-01-15T08:30:00Z)',
  });

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function parseIsoInstant(value: string): Date | undefined {
  const dateOnly = DATE_ONLY.exec(value);
  const match = dateOnly ?? DATE_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1) return undefined; // 2026-02-30
  if (dateOnly) return probe;
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = match[8]!.toUpperCase();
  const offsetMatch = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (offsetMatch && (Number(offsetMatch[2]) > 23 || Number(offsetMatch[3]) > 59)) return undefined;
  const parsed = new Date(
    `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${String(second).padStart(2, '0')}` +
      `${match[7] ? `.${match[7].slice(0, 3).padEnd(3, '0')}` : ''}` +
      `${zone === 'Z' ? 'Z' : `${offsetMatch![1]}${offsetMatch![2]}:${offsetMatch![3]}`}`,
  );
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}
