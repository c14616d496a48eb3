import { isPlainObject } from './policy-params.js';
import type { Policy } from './policy.js';
import { findPolicy } from './policy.registry.js';

/** Common parameters an emergency policy inherits from its target's normal policy unless it sets its own. */
const INHERITED = ['include', 'exclude', 'min_age_seconds', 'delete_empty_dirs'] as const;

/**
 * The stricter policy a target applies only in emergencies (its `emergency` param): the same algorithm with
 * tighter values (`{keep_count: 25}`: the normal policy's own params, overridden), or another one
 * (`{algorithm: "max_size", max_bytes: …}`: that policy's params only). The scope rules (include, exclude,
 * min_age_seconds, delete_empty_dirs) carry over unless the emergency policy sets them. Undefined when the
 * target has none: such a target is never touched by emergency cleanup.
 */
export function emergencyPolicyOf(algorithm: string, params: Readonly<Record<string, unknown>>): { policy: Policy; params: Record<string, unknown> } | undefined {
  const emergency = params.emergency;
  if (!isPlainObject(emergency)) return undefined;
  const { algorithm: other, ...overrides } = emergency;
  const name = typeof other === 'string' ? other : algorithm;
  const policy = findPolicy(name);
  if (!policy) return undefined;
  const inherited = Object.fromEntries(INHERITED.filter((key) => params[key] !== undefined).map((key) => [key, params[key]]));
  const own = name === algorithm ? Object.fromEntries(Object.entries(params).filter(([key]) => key in policy.params.shape)) : {};
  return { policy, params: { ...inherited, ...own, ...overrides } };
}
