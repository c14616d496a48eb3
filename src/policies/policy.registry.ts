import { keepNLatestPolicy } from './keep-n-latest.policy.js';
import { maxSizePolicy } from './max-size.policy.js';
import { orphansPolicy } from './orphans.policy.js';
import type { Policy } from './policy.js';
import { removeBeforeDatePolicy } from './remove-before-date.policy.js';

/** The one map of available policies, by public name. */
export const POLICIES: Readonly<Record<string, Policy>> = Object.freeze(
  Object.fromEntries([maxSizePolicy, removeBeforeDatePolicy, keepNLatestPolicy, orphansPolicy].map((p) => [p.name, p])),
);

export const POLICY_NAMES = Object.keys(POLICIES);

export function findPolicy(name: string): Policy | undefined {
  return Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
}
