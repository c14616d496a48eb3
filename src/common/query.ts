import { z } from 'zod';

/**
 * Zod schemas of query-string values. A query value arrives as a string, or as an array when the parameter
 * is repeated (always rejected here); an empty value counts as absent. Each schema names its one rule in
 * its message, and documents the typed value in the OpenAPI document.
 */

const blankIsAbsent = (value: unknown): unknown => (value === '' ? undefined : value);

/** `true`/`1` or `false`/`0`. */
export function queryBoolean() {
  const error = 'must be true or false';
  const words: Record<string, boolean> = { true: true, 1: true, false: false, 0: false };
  return z.preprocess(
    (value) => (typeof value === 'string' && Object.hasOwn(words, value) ? words[value] : blankIsAbsent(value)),
    z.boolean({ error }).optional(),
  );
}

/** A whole number in decimal digits, from `min` to `max`. */
export function queryInteger(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : blankIsAbsent(value)),
    z.int({ error }).min(min, { error }).max(max, { error }).optional(),
  );
}

/** One of `values`, exactly. */
export function queryEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(blankIsAbsent, z.enum(values, { error: `must be one of ${values.join(', ')}` }).optional());
}

/** A single string of at most `maxLength` characters, without NUL. */
export function queryString(maxLength = 1024) {
  const error = `must be a single string of at most ${maxLength} characters`;
  return z.preprocess(
    blankIsAbsent,
    z
      .string({ error })
      .max(maxLength, { error })
      .refine((value) => !value.includes('\0'), { error })
      .optional(),
  );
}
