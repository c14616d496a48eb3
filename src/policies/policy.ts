import type { z } from 'zod';
import type { FileEntry } from '../measuring/file-entry.js';
import type { Plan } from './plan.js';

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
  /**
   * Decides what to delete from a target, purely: `files` is the whole target, `params` are stored as the user
   * gave them (validated, defaults not applied), `now` is the planning instant. Never touches the filesystem.
   */
  readonly plan: (files: readonly FileEntry[], params: Readonly<Record<string, unknown>>, now: Date) => Plan;
}
