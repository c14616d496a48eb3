import { parseEnumQuery } from '../common/query.js';
import { isPlainObject, type ParamProblem } from '../policies/policy-params.js';
import { targetKey } from '../state/state.model.js';
import { registrationProblems, validationError, type RegistrationInput } from './registration.schema.js';

export const MAX_IMPORT_ITEMS = 10_000;
const IMPORT_FIELDS = ['version', 'exported_at', 'mode', 'registrations'];

/**
 * Parses an import body: the document GET /api/registrations/export returns, optionally with `mode`
 * (`merge` or `replace`; the query parameter wins). Every item is validated; nothing is applied if one fails.
 */
export function parseImport(body: unknown, modeQuery: unknown): { mode: 'merge' | 'replace'; registrations: RegistrationInput[] } {
  if (!isPlainObject(body)) throw validationError([{ field: 'body', message: 'must be a JSON object with a registrations array' }]);
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!IMPORT_FIELDS.includes(key)) problems.push({ field: key, message: `is not a known field (accepted: ${IMPORT_FIELDS.join(', ')})` });
  }
  if (body.version !== undefined && body.version !== 1) problems.push({ field: 'version', message: 'must be 1' });
  const mode = parseEnumQuery(modeQuery, 'mode', ['merge', 'replace'] as const) ?? bodyMode(body.mode, problems) ?? 'merge';
  if (!Array.isArray(body.registrations)) {
    problems.push({ field: 'registrations', message: 'must be an array' });
    throw validationError(problems);
  }
  if (body.registrations.length > MAX_IMPORT_ITEMS) {
    problems.push({ field: 'registrations', message: `must hold at most ${MAX_IMPORT_ITEMS} items` });
  }
  const registrations: RegistrationInput[] = [];
  const seen = new Map<string, number>();
  body.registrations.forEach((item: unknown, index: number) => {
    const result = registrationProblems(item, `registrations[${index}]`, { allowExportFields: true });
    problems.push(...result.problems);
    if (!result.input) return;
    const key = targetKey(result.input.volume_name, result.input.path);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ field: `registrations[${index}].path`, message: `repeats the target of registrations[${first}]` });
    } else {
      seen.set(key, index);
      registrations.push(result.input);
    }
  });
  if (problems.length > 0) throw validationError(problems);
  return { mode, registrations };
}

function bodyMode(value: unknown, problems: ParamProblem[]): 'merge' | 'replace' | undefined {
  if (value === undefined) return undefined;
  if (value === 'merge' || value === 'replace') return value;
  problems.push({ field: 'mode', message: 'must be merge or replace' });
  return undefined;
}
