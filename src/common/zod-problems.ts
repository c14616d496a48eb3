import type { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * The one mapping from zod issues to the API's field-named problems. Request bodies, query strings, path
 * parameters and policy params all go through it, so a field is always named the same way:
 * `params.max_bytes`, `registrations[3].path`, `limit`.
 */

export interface Problem {
  /** The field at fault in dotted form (`params.max_bytes`, `registrations[3].path`); `''` for the whole value. */
  readonly field: string;
  readonly message: string;
}

/** The dotted field name of a zod issue path under `prefix`. */
export function fieldName(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (field, key) => (typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${String(key)}` : String(key)),
    prefix,
  );
}

function below(base: string, field: string): string {
  return base && field ? `${base}.${field}` : base || field;
}

/**
 * Turns a zod result into field-named problems. Unknown keys of a strict object become one problem per key:
 * with `accepted`, "is not a known field here (accepted: …)"; without, the object's own message for them.
 * A custom issue may name a field below its path in `params.field` (problems found by a validator that
 * already speaks field names, see addProblems).
 */
export function zodProblems(
  result: { success: boolean; error?: z.ZodError },
  prefix: string,
  accepted?: readonly string[],
): Problem[] {
  if (result.success || !result.error) return [];
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    const base = fieldName(prefix, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const message = accepted ? `is not a known field here (accepted: ${accepted.join(', ')})` : issue.message;
      for (const key of issue.keys) problems.push({ field: base ? `${base}.${key}` : key, message });
    } else if (issue.code === 'custom' && typeof issue.params?.field === 'string') {
      problems.push({ field: below(base, issue.params.field), message: issue.message });
    } else {
      problems.push({ field: base, message: issue.message });
    }
  }
  return problems;
}

/** Adds field-named problems to a refinement as zod issues; zodProblems names them again, under their path. */
export function addProblems(ctx: z.RefinementCtx, problems: readonly Problem[]): void {
  for (const problem of problems) {
    ctx.addIssue({ code: 'custom', message: problem.message, path: [], params: { field: problem.field } });
  }
}

/** The error a request with these problems is answered with: 400, the first field, every problem in `details`. */
export function validationError(all: readonly Problem[]): ValidationError {
  const seen = new Set<string>();
  const problems = all.filter((p) => {
    const key = `${p.field}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new ValidationError(message, problems[0]?.field, problems);
}

/** The error option of a strict object: what to say when the value is not an object, and about unknown keys. */
export function objectErrors(notObject: string, accepted: readonly string[]): (issue: { code: string }) => string | undefined {
  return (issue) =>
    issue.code === 'unrecognized_keys'
      ? `is not a known field (accepted: ${accepted.join(', ')})`
      : issue.code === 'invalid_type'
        ? notObject
        : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
