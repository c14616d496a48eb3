import type { Plan } from '../policies/plan.js';

/** `change`: a committed change (registration update, release from quarantine, end of maintenance) may make a policy act. */
export const TRIGGERS = ['threshold', 'change', 'expiry', 'sweep', 'manual', 'emergency'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** How many deleted paths a cleanup event keeps. */
export const FIRST_PATHS = 100;

export interface CleanupReport {
  readonly id: string;
  readonly volume_name: string;
  readonly path: string;
  readonly trigger: Trigger;
  readonly dry_run: boolean;
  readonly status: 'done' | 'skipped' | 'failed';
  /** Why nothing was done (`quarantined`, `not measured`), or the failure. */
  readonly detail: string | null;
  readonly files: number;
  readonly bytes: number;
  readonly first_paths: readonly string[];
  readonly skipped: number;
  readonly errors: number;
  readonly blocked: Plan['blocked'];
  readonly next_run_at: string | null;
  readonly duration_ms: number;
}

export interface PreviewReport {
  readonly id: string;
  readonly files: number;
  readonly bytes: number;
  readonly paths: readonly string[];
  readonly reason: string;
  readonly blocked: Plan['blocked'];
  readonly next_run_at: string | null;
}
