import { z } from 'zod';
import { addProblems, isPlainObject, objectErrors, zodProblems, type Problem } from '../common/zod-problems.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { validatePolicyParams } from '../policies/policy-params.js';
import { findPolicy, POLICY_NAMES } from '../policies/policy.registry.js';
import { checkVolumeName, MAX_PATH_BYTES, normaliseTargetPath, VOLUME_NAME_PATTERN } from './target-path.js';

export { validationError } from '../common/zod-problems.js';

/** A validated, normalised registration request. */
export interface RegistrationInput {
  readonly volume_name: string;
  readonly path: string;
  readonly algorithm: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly description: string | null;
}

export const REGISTRATION_FIELDS = ['volume_name', 'path', 'algorithm', 'params', 'description'] as const;
/** Fields an export carries that an import may send back unchanged; they are ignored. */
export const EXPORT_ONLY_FIELDS = ['id', 'source', 'owner', 'status', 'quarantine', 'created_at', 'updated_at'] as const;
export const MAX_DESCRIPTION_LENGTH = 1000;

/** An error option that tells a missing value from an ill-typed one. */
function missingOr(missing: string, otherwise: string) {
  return (issue: { input?: unknown }): string => (issue.input === undefined ? missing : otherwise);
}

/** A volume name (`camera-footage`), by the rules of target-path.ts. */
export function volumeNameField(missing = 'is required') {
  return z
    .string({ error: missingOr(missing, 'must be a string') })
    .superRefine((name, ctx) => {
      const problem = checkVolumeName(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ example: 'camera-footage', pattern: VOLUME_NAME_PATTERN.source, minLength: 1, maxLength: 255 });
}

/** A path relative to the volume root, normalised to `/` or `/a/b`; `..`, `.`, NUL and over-long paths are refused. */
export function targetPathField(missing = 'is required (use "/" for the whole volume)') {
  return z
    .string({ error: missingOr(missing, 'must be a string') })
    .meta({
      example: '/recordings',
      description: 'Relative to the volume root; "/" is the whole volume.',
      minLength: 1,
      maxLength: MAX_PATH_BYTES,
    })
    .transform((value, ctx) => {
      const normalised = normaliseTargetPath(value);
      if ('problem' in normalised) {
        ctx.addIssue({ code: 'custom', message: normalised.problem });
        return z.NEVER;
      }
      return normalised.path;
    });
}

const oneOfPolicies = `must be one of ${POLICY_NAMES.join(', ')}`;
export const algorithmField = z
  .string({ error: missingOr(`is required (one of ${POLICY_NAMES.join(', ')})`, oneOfPolicies) })
  .refine((name) => findPolicy(name) !== undefined, { error: oneOfPolicies });

const descriptionError = `must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`;
export const descriptionField = z
  .string({ error: descriptionError })
  .max(MAX_DESCRIPTION_LENGTH, { error: descriptionError })
  .nullish();

/** The params are validated by the algorithm's policy (policy-params.ts), once the algorithm is known. */
function checkParams(body: { algorithm?: unknown; params?: unknown }, ctx: z.RefinementCtx): void {
  const params = body.params === undefined ? {} : body.params;
  const policy = typeof body.algorithm === 'string' ? findPolicy(body.algorithm) : undefined;
  if (policy) addProblems(ctx, validatePolicyParams(policy, params, 'params'));
  else if (!isPlainObject(params)) addProblems(ctx, [{ field: 'params', message: 'must be an object' }]);
}

/** One registration object; `ignored` names fields that are accepted and dropped (an export's own fields). */
function registrationSchema(ignored: readonly string[]) {
  const shape = {
    volume_name: volumeNameField(),
    path: targetPathField(),
    algorithm: algorithmField,
    params: z.unknown().optional(),
    description: descriptionField,
  };
  const dropped = Object.fromEntries(ignored.map((name) => [name, z.unknown().optional()]));
  return z
    .strictObject({ ...dropped, ...shape }, { error: objectErrors('must be a JSON object', REGISTRATION_FIELDS) })
    .superRefine(checkParams, { when: (payload) => isPlainObject(payload.value) })
    .transform(
      (body): RegistrationInput => ({
        volume_name: body.volume_name,
        path: body.path,
        algorithm: body.algorithm,
        params: (body.params ?? {}) as Record<string, unknown>,
        description: body.description ?? null,
      }),
    );
}

/** The body of POST /api/register. */
export const registrationBody = registrationSchema([]);
/** One item of an import: a registration, or an exported one sent back as it is. */
export const importedRegistration = registrationSchema(EXPORT_ONLY_FIELDS);

/** Parses a registration given as a JSON value (a body, a label set) or throws a ValidationError naming every bad field. */
export function parseRegistration(body: unknown): RegistrationInput {
  return new ZodValidationPipe(registrationBody).transform(body, { type: 'body' });
}

/** Collects the problems of one registration object; `prefix` names its place in a larger document. */
export function registrationProblems(
  body: unknown,
  prefix = '',
  options: { allowExportFields?: boolean } = {},
): { input?: RegistrationInput; problems: Problem[] } {
  const result = (options.allowExportFields ? importedRegistration : registrationBody).safeParse(body);
  if (result.success) return { input: result.data, problems: [] };
  return { problems: zodProblems(result, prefix).map((p) => (p.field === '' ? { ...p, field: 'body' } : p)) };
}
