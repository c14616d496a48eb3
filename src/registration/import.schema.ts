import { z } from 'zod';
import { queryBoolean, queryEnum } from '../common/query.js';
import { objectErrors } from '../common/zod-problems.js';
import { targetKey } from '../state/state.model.js';
import { importedRegistration, type RegistrationInput } from './registration.schema.js';

export const MAX_IMPORT_ITEMS = 10_000;
export const IMPORT_MODES = ['merge', 'replace'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
const IMPORT_FIELDS = ['version', 'exported_at', 'mode', 'registrations'] as const;

/** Two items may not address the same target; only items that are valid themselves are compared. */
export function noRepeatedTargets(items: readonly RegistrationInput[], ctx: z.RefinementCtx): void {
  const invalid = new Set(ctx.issues.map((issue) => issue.path?.[0]));
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    if (invalid.has(index)) return;
    const key = targetKey(item.volume_name, item.path);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else ctx.addIssue({ code: 'custom', path: [index, 'path'], message: `repeats the target of registrations[${first}]` });
  });
}

/**
 * The body of POST /api/registrations/import: the document GET /api/registrations/export returns, optionally
 * with `mode`. Every item is validated; nothing is applied if one fails.
 */
export const importBody = z.strictObject(
  {
    version: z.literal(1, { error: 'must be 1' }).optional(),
    exported_at: z.unknown().optional().describe('As exported; ignored.'),
    mode: z.enum(IMPORT_MODES, { error: 'must be merge or replace' }).optional().describe('The mode query parameter wins.'),
    registrations: z
      .array(importedRegistration, { error: 'must be an array' })
      .max(MAX_IMPORT_ITEMS, { error: `must hold at most ${MAX_IMPORT_ITEMS} items` })
      .superRefine(noRepeatedTargets, {
        when: (payload) => Array.isArray(payload.value) && payload.value.length <= MAX_IMPORT_ITEMS,
      }),
  },
  { error: objectErrors('must be a JSON object with a registrations array', IMPORT_FIELDS) },
);
export type ImportBody = z.output<typeof importBody>;

/** The query of POST /api/registrations/import. */
export const importQuery = z.object({
  mode: queryEnum(IMPORT_MODES).describe('merge (default) or replace; wins over the body\'s mode'),
  dry_run: queryBoolean().describe('Only report what the import would change'),
});
export type ImportQuery = z.output<typeof importQuery>;

/** The mode of an import: the query parameter wins over the body's, merge by default. */
export function importMode(body: ImportBody, query: ImportQuery): ImportMode {
  return query.mode ?? body.mode ?? 'merge';
}

