import { z } from 'zod';
import { byteCount, sortBy } from './param-types.js';
import type { Policy } from './policy.js';

/** Deletes files in `sort_by` order until the target's bytes are at most `max_bytes`. */
export const maxSizePolicy: Policy = {
  name: 'max_size',
  summary: 'Delete files (oldest first by default) until the target holds at most max_bytes.',
  params: z.strictObject({ max_bytes: byteCount, sort_by: sortBy.optional() }),
  required: [['max_bytes']],
};
