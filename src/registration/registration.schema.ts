import { ValidationError } from '../common/errors.js';
import { isPlainObject, validatePolicyParams, type ParamProblem } from '../policies/policy-params.js';
import { findPolicy, POLICY_NAMES } from '../policies/policy.registry.js';
import { checkVolumeName, normaliseTargetPath } from './target-path.js';

/** A validated, normalised registration request. */
export interface RegistrationInput {
  readonly volume_name: string;
  readonly path: string;
  readonly algorithm: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly description: string | null;
}

const FIELDS = ['volume_name', 'path', 'algorithm', 'params', 'description'] as const;
/** Fields an export carries that an import may send back unchanged; they are ignored. */
const EXPORT_ONLY_FIELDS = ['id', 'source', 'owner', 'status', 'quarantine', 'created_at', 'updated_at'];
export const MAX_DESCRIPTION_LENGTH = 1000;

/** Collects the problems of one registration object; `prefix` names its place in the body. */
export function registrationProblems(
  body: unknown,
  prefix = '',
  options: { allowExportFields?: boolean } = {},
): { input?: RegistrationInput; problems: ParamProblem[] } {
  const at = (field: string): string => (prefix ? `${prefix}.${field}` : field);
  if (!isPlainObject(body)) return { problems: [{ field: prefix || 'body', message: 'must be a JSON object' }] };
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!(FIELDS as readonly string[]).includes(key) && !(options.allowExportFields && EXPORT_ONLY_FIELDS.includes(key))) {
      problems.push({ field: at(key), message: `is not a known field (accepted: ${FIELDS.join(', ')})` });
    }
  }

  const volumeProblem = body.volume_name === undefined ? 'is required' : checkVolumeName(body.volume_name);
  if (volumeProblem) problems.push({ field: at('volume_name'), message: volumeProblem });

  const normalised = body.path === undefined ? { problem: 'is required (use "/" for the whole volume)' } : normaliseTargetPath(body.path);
  if ('problem' in normalised) problems.push({ field: at('path'), message: normalised.problem });

  const algorithm = body.algorithm;
  const policy = typeof algorithm === 'string' ? findPolicy(algorithm) : undefined;
  if (algorithm === undefined) {
    problems.push({ field: at('algorithm'), message: `is required (one of ${POLICY_NAMES.join(', ')})` });
  } else if (!policy) {
    problems.push({ field: at('algorithm'), message: `must be one of ${POLICY_NAMES.join(', ')}` });
  }

  const params = body.params === undefined ? {} : body.params;
  if (policy) problems.push(...validatePolicyParams(policy, params, at('params')));
  else if (!isPlainObject(params)) problems.push({ field: at('params'), message: 'must be an object' });

  const description = body.description ?? null;
  if (description !== null && (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)) {
    problems.push({ field: at('description'), message: `must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters` });
  }

  if (problems.length > 0 || 'problem' in normalised) return { problems };
  return {
    problems,
    input: {
      volume_name: body.volume_name as string,
      path: normalised.path,
      algorithm: algorithm as string,
      params: params as Record<string, unknown>,
      description: description as string | null,
    },
  };
}

/** Parses a registration request body or throws a ValidationError naming every bad field. */
export function parseRegistration(body: unknown): RegistrationInput {
  const { input, problems } = registrationProblems(body);
  if (!input) throw validationError(problems);
  return input;
}

export function validationError(problems: readonly ParamProblem[]): ValidationError {
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new ValidationError(message, problems[0]?.field, problems);
}
