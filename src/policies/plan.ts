import type { FileEntry } from '../measuring/file-entry.js';

/** What a policy decides for a target at an instant: which files to delete, in order, and why. */
export interface Plan {
  /** Files to delete, in deletion order. */
  readonly delete: readonly FileEntry[];
  /** Sum of `size` over `delete`. */
  readonly bytes: number;
  /** A short human summary ("4 files over max_bytes by 1.2 GB, oldest first"). */
  readonly reason: string;
  /**
   * Set when the policy's cap cannot be met even after deleting every candidate (files too young,
   * excluded, or otherwise protected): the target stays over its cap and is reported as blocked.
   */
  readonly blocked: { readonly reason: string; readonly overBy: number; readonly unit: 'bytes' | 'files' } | null;
  /** For age-based policies: the instant the next remaining file becomes deletable (null when none). */
  readonly nextRunAt: Date | null;
}
