import { z } from 'zod';
import { fileCount, sortBy } from './param-types.js';
import type { Policy } from './policy.js';

/** Keeps the `keep_count` latest files; deletes the rest in `sort_by` order. */
export const keepNLatestPolicy: Policy = {
  name: 'keep_n_latest',
  summary: 'Keep only the keep_count most recent files; delete the others.',
  params: z.strictObject({ keep_count: fileCount, sort_by: sortBy.optional() }),
  required: [['keep_count']],
};
