import type { z } from 'zod';
import type { Problem } from '../common/zod-problems.js';
import { commonParams } from '../policies/param-types.js';
import { findPolicy } from '../policies/policy.registry.js';
import { registrationProblems, type RegistrationInput } from './registration.schema.js';

/**
 * Compose labels as registrations (SPEC §3, seed 000):
 *
 *   storage-manager.<N>.volume | path | algorithm | description | <param> | emergency.<param>
 *
 * Label values are strings; each param is typed by its policy's own schema (a value the schema accepts as a
 * string stays a string, `"5368709120"` becomes a number, `"true"` a boolean, `[...]` a JSON list), and the
 * result goes through the same validation as POST /api/register. One pure function shared by label discovery
 * (Engine containers) and deploy-time registration (compose files), so both refuse exactly what the API refuses.
 */

export const LABEL_PREFIX = 'storage-manager.';

/** One registration declared by labels, its volume as written (a compose-level name such as `logs` is resolved later). */
export interface LabelRegistration {
  /** The `<N>` of `storage-manager.<N>.*`. */
  readonly index: string;
  readonly input: RegistrationInput;
}

/** What is wrong with one index of a label set. */
export interface LabelProblem {
  /** The `<N>` at fault, or `''` for a label that has no valid index. */
  readonly index: string;
  /** The label at fault (`storage-manager.0.max_bytes`), or the index's prefix when a label is missing. */
  readonly label: string;
  /** The registration field it maps to (`params.max_bytes`). */
  readonly field: string;
  readonly message: string;
}

export interface LabelSet {
  readonly registrations: LabelRegistration[];
  readonly problems: LabelProblem[];
}

const FIELD_LABELS: Readonly<Record<string, string>> = {
  volume: 'volume_name',
  path: 'path',
  algorithm: 'algorithm',
  description: 'description',
};
const LABEL_OF_FIELD: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(FIELD_LABELS).map(([l, f]) => [f, l]));
const INDEX = /^(0|[1-9]\d{0,5})$/;
const PARAM_NAME = /^[a-z][a-z0-9_]*$/;

/** True when the container or service carries at least one storage-manager label. */
export function hasRegistrationLabels(labels: Readonly<Record<string, string>>): boolean {
  return Object.keys(labels).some((key) => key.startsWith(LABEL_PREFIX));
}

/** Parses every `storage-manager.*` label; an index with a problem is left out, the others still apply. */
export function parseRegistrationLabels(labels: Readonly<Record<string, string>>): LabelSet {
  const groups = new Map<string, Map<string, string>>();
  const problems: LabelProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(LABEL_PREFIX)) continue;
    const rest = key.slice(LABEL_PREFIX.length);
    const dot = rest.indexOf('.');
    const index = dot < 0 ? rest : rest.slice(0, dot);
    const name = dot < 0 ? '' : rest.slice(dot + 1);
    if (!INDEX.test(index) || name === '') {
      problems.push({
        index: '',
        label: key,
        field: 'label',
        message: `is not of the form ${LABEL_PREFIX}<N>.<field> with <N> a whole number (${LABEL_PREFIX}0.volume)`,
      });
      continue;
    }
    const group = groups.get(index) ?? new Map<string, string>();
    group.set(name, value);
    groups.set(index, group);
  }
  const registrations: LabelRegistration[] = [];
  for (const [index, group] of [...groups].sort(([a], [b]) => Number(a) - Number(b))) {
    const parsed = parseIndex(index, group);
    if ('input' in parsed) registrations.push({ index, input: parsed.input });
    else problems.push(...parsed.problems);
  }
  return { registrations, problems };
}

function parseIndex(index: string, group: ReadonlyMap<string, string>): { input: RegistrationInput } | { problems: LabelProblem[] } {
  const prefix = `${LABEL_PREFIX}${index}.`;
  const problems: LabelProblem[] = [];
  const body: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  const emergency: Record<string, unknown> = {};
  const algorithm = group.get('algorithm');
  const policy = algorithm === undefined ? undefined : findPolicy(algorithm);
  for (const [name, value] of group) {
    const field = FIELD_LABELS[name];
    if (field) {
      body[field] = value;
      continue;
    }
    const nested = name.startsWith('emergency.');
    const param = nested ? name.slice('emergency.'.length) : name;
    if (!PARAM_NAME.test(param)) {
      problems.push({ index, label: prefix + name, field: `params.${name}`, message: 'is not a field of a registration' });
      continue;
    }
    const emergencyPolicy = nested && typeof group.get('emergency.algorithm') === 'string' ? findPolicy(group.get('emergency.algorithm')!) : policy;
    const typed = param === 'algorithm' ? value : typedValue(paramSchema(nested ? emergencyPolicy : policy, param), value);
    (nested ? emergency : params)[param] = typed;
  }
  if (Object.keys(emergency).length > 0) params.emergency = emergency;
  body.params = params;
  for (const required of ['volume', 'path', 'algorithm']) {
    if (!group.has(required)) {
      problems.push({ index, label: prefix + required, field: FIELD_LABELS[required]!, message: `is missing (${prefix}${required})` });
    }
  }
  const checked = registrationProblems(body);
  for (const problem of checked.problems) {
    if (problems.some((p) => p.field === problem.field)) continue;
    problems.push({ index, label: labelOf(prefix, problem), field: problem.field, message: problem.message });
  }
  if (problems.length > 0 || !checked.input) return { problems };
  return { input: checked.input };
}

/** The label a registration problem points at: `params.max_bytes` → `storage-manager.0.max_bytes`. */
function labelOf(prefix: string, problem: Problem): string {
  const direct = LABEL_OF_FIELD[problem.field];
  if (direct) return prefix + direct;
  if (problem.field.startsWith('params.')) return prefix + problem.field.slice('params.'.length).replace(/\[\d+\]$/, '');
  return prefix.slice(0, -1);
}

function paramSchema(policy: ReturnType<typeof findPolicy>, name: string): z.ZodType | undefined {
  const own = policy?.params.shape[name] as z.ZodType | undefined;
  return own ?? (commonParams as Readonly<Record<string, z.ZodType>>)[name];
}

/**
 * A label's string as the param's value: a JSON list or object when it is one (`["*.log","*.gz"]`); kept as a
 * string when the param's schema takes it so (a sort key, a date, a glob); otherwise a number or a boolean
 * when it reads as one. What still does not fit is left for the registration schema to refuse, with its own
 * message.
 */
function typedValue(schema: z.ZodType | undefined, raw: string): unknown {
  const text = raw.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return raw;
    }
  }
  if (schema?.safeParse(raw).success) return raw;
  if (/^-?(\d+|\d*\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return raw;
}
