import { z } from 'zod';
import type { Policy } from './policy.js';

const PLACEHOLDER = /\{(stem|name|ext)\}/;

/** Deletes candidate files (`pattern`) whose companion file (`companion`, e.g. `{stem}.jpg`) is missing. */
export const orphansPolicy: Policy = {
  name: 'orphans',
  summary: 'Delete files matching pattern whose companion (e.g. {stem}.jpg) does not exist beside them.',
  params: z.strictObject({
    pattern: z
      .string({ error: 'must be a glob string such as "*.json"' })
      .min(1, { error: 'must not be empty' })
      .max(1024, { error: 'must be at most 1024 characters' })
      .refine((value) => !value.includes('\0') && !value.split('/').includes('..'), {
        error: "must not contain NUL or '..'",
      }),
    companion: z
      .string({ error: 'must be a name template such as "{stem}.jpg"' })
      .min(1, { error: 'must not be empty' })
      .max(1024, { error: 'must be at most 1024 characters' })
      .refine((value) => PLACEHOLDER.test(value), { error: 'must contain {stem}, {name} or {ext}' })
      .refine((value) => !value.includes('\0') && !value.split('/').includes('..') && !value.startsWith('/'), {
        error: "must be relative to the candidate's directory, without NUL or '..'",
      }),
  }),
  required: [['pattern', 'companion']],
};
