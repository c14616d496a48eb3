import type { z } from 'zod';

/**
 * A cleanup policy (algorithm). Adding one means implementing this interface and adding it to POLICIES
 * in policy.registry.ts; nothing else changes.
 */
export interface Policy {
  /** The public name used in the API and in labels (`max_size`). */
  readonly name: string;
  readonly summary: string;
  /** The policy's own parameters, as a strict object shape (common parameters are added by the registry). */
  readonly params: z.ZodObject;
  /** Cross-field rules over the policy's own parameters: returns problems as [param, message] pairs. */
  readonly check?: (params: Readonly<Record<string, unknown>>) => Array<[string, string]>;
  /** Names of parameters of which at least one set must be present, e.g. [['max_bytes']]. */
  readonly required: ReadonlyArray<readonly string[]>;
}
