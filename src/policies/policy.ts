import type { z } from 'zod';
import type { FileView, OrderKey, Tally } from '../measuring/file-view.js';
import type { commonParams } from './param-types.js';
import type { Plan } from './plan.js';

/** The parameters every policy accepts (include, exclude, min_age_seconds, dry_run, priority, …). */
export type CommonParams = z.infer<z.ZodObject<typeof commonParams>>;

/**
 * A policy's parameters as stored: validated against its schema (so every value present has its type), but
 * as the user gave them — defaults not applied, so any own parameter may be absent.
 */
export type PolicyParams<Own> = Readonly<Partial<Own> & CommonParams & { emergency?: unknown }>;

/**
 * A cleanup policy (algorithm), typed by its own parameters. Adding one means implementing this interface
 * and adding it to POLICIES in policy.registry.ts; nothing else changes.
 */
export interface PolicyDefinition<Own extends object> {
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
   * Decides what to delete from a target, purely: `files` is the whole target as an ordered, lazy view (read in
   * the order the policy needs and only as far as it needs, so a plan costs about what it deletes), `now` is
   * the planning instant. Never touches the filesystem.
   */
  plan(files: FileView, params: PolicyParams<Own>, now: Date): Plan;
  /**
   * For policies with a cap (bytes, files): whether the tally is over it, so that an update that crosses it
   * triggers a cleanup at once. Policies without one (age, orphans) leave it out: expiry timers and sweeps run
   * them.
   */
  overCap?(tally: Tally, params: PolicyParams<Own>): boolean;
  /**
   * For policies that read files in an order: which one, so that a run can have the index build it ahead, in
   * slices of the event loop, instead of all at once inside plan() (a 1M-file order is a few hundred ms).
   */
  orderKey?(params: PolicyParams<Own>): OrderKey;
}

/** A policy of any parameter type, as the registry holds it (its params are validated before they are stored). */
export type Policy = PolicyDefinition<Record<string, unknown>>;
