import { z } from 'zod';
import { AGE_BY, isoInstant } from './param-types.js';
import type { Policy } from './policy.js';

/** Deletes every file older than a fixed instant (`before_date`) or a rolling age (`max_age_days`). */
export const removeBeforeDatePolicy: Policy = {
  name: 'remove_before_date',
  summary: 'Delete every file older than before_date, or older than max_age_days.',
  params: z.strictObject({
    before_date: isoInstant.optional(),
    max_age_days: z
      .number({ error: 'must be a number of days' })
      .gt(0, { error: 'must be above 0' })
      .max(365_000, { error: 'is too large' })
      .optional(),
    age_by: z.enum(AGE_BY, { error: `must be one of ${AGE_BY.join(', ')}` }).optional(),
  }),
  required: [['before_date'], ['max_age_days']],
  check: (params) =>
    params.before_date !== undefined && params.max_age_days !== undefined
      ? [['max_age_days', 'cannot be combined with before_date: give one or the other']]
      : [],
};
