import { z } from 'zod';
import { isPlainObject, zodProblems, type Problem } from '../common/zod-problems.js';
import { commonParams, emergencyCommonParams } from './param-types.js';
import type { Policy } from './policy.js';
import { findPolicy, POLICY_NAMES } from './policy.registry.js';

export type ParamProblem = Problem;
export { isPlainObject, zodProblems };

/**
 * Validates a policy's params (its own, the common ones and `emergency`). Returns every problem found, each
 * naming its field in dotted form under `prefix` (`params.max_bytes`). An empty list means valid.
 */
export function validatePolicyParams(policy: Policy, params: unknown, prefix = 'params'): ParamProblem[] {
  if (!isPlainObject(params)) return [{ field: prefix, message: 'must be an object' }];
  const own = policy.params.partial();
  const schema = z.strictObject({ ...own.shape, ...commonParams, emergency: z.unknown().optional() });
  const problems = zodProblems(schema.safeParse(params), prefix, acceptedNames(policy, Object.keys(commonParams), true));
  problems.push(...requiredProblems(policy, params, prefix));
  for (const [field, message] of policy.check?.(params) ?? []) problems.push({ field: `${prefix}.${field}`, message });
  if (params.emergency !== undefined) problems.push(...validateEmergency(policy, params.emergency, `${prefix}.emergency`));
  return dedupe(problems);
}

/**
 * `emergency` is a stricter policy applied only in emergencies: the same algorithm with tighter values
 * (`{keep_count: 25}`), or another one (`{algorithm: "max_size", max_bytes: ...}`).
 */
function validateEmergency(base: Policy, value: unknown, prefix: string): ParamProblem[] {
  if (!isPlainObject(value)) return [{ field: prefix, message: 'must be an object' }];
  const { algorithm, ...rest } = value;
  let policy = base;
  if (algorithm !== undefined) {
    const other = typeof algorithm === 'string' ? findPolicy(algorithm) : undefined;
    if (!other) return [{ field: `${prefix}.algorithm`, message: `must be one of ${POLICY_NAMES.join(', ')}` }];
    policy = other;
  }
  const own = policy.params.partial();
  const schema = z.strictObject({ ...own.shape, ...emergencyCommonParams });
  const accepted = ['algorithm', ...acceptedNames(policy, Object.keys(emergencyCommonParams), false)];
  const problems = zodProblems(schema.safeParse(rest), prefix, accepted);
  if (policy !== base) {
    problems.push(...requiredProblems(policy, rest, prefix));
  } else if (!Object.keys(own.shape).some((name) => rest[name] !== undefined)) {
    problems.push({ field: prefix, message: `must set at least one of ${Object.keys(own.shape).join(', ')}` });
  }
  for (const [field, message] of policy.check?.(rest) ?? []) problems.push({ field: `${prefix}.${field}`, message });
  return problems;
}

function requiredProblems(policy: Policy, params: Record<string, unknown>, prefix: string): ParamProblem[] {
  const satisfied = policy.required.some((set) => set.every((name) => params[name] !== undefined));
  if (satisfied || policy.required.length === 0) return [];
  if (policy.required.length === 1) {
    return policy.required[0]!
      .filter((name) => params[name] === undefined)
      .map((name) => ({ field: `${prefix}.${name}`, message: `is required for ${policy.name}` }));
  }
  const options = policy.required.map((set) => set.join(' + ')).join(' or ');
  return [{ field: prefix, message: `${policy.name} needs ${options}` }];
}

function acceptedNames(policy: Policy, common: string[], withEmergency: boolean): string[] {
  return [...Object.keys(policy.params.shape), ...common, ...(withEmergency ? ['emergency'] : [])];
}

function dedupe(problems: ParamProblem[]): ParamProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
