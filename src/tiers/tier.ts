import type { Tier } from '../event-log/event.types.js';

export type { Tier } from '../event-log/event.types.js';
export const TIERS = ['ok', 'warning', 'critical', 'emergency'] as const satisfies readonly Tier[];

export interface TierThresholds {
  readonly warningPct: number;
  readonly criticalPct: number;
  readonly emergencyPct: number;
  /** A tier is left only this many points below its threshold. */
  readonly hysteresisPct: number;
}

/** Filled-ness of a filesystem: used share of its bytes and of its inodes (0..1 each). */
export interface Fullness {
  readonly bytesRatio: number;
  readonly inodeRatio: number;
}

/**
 * The tier of a filesystem (SPEC §7): the worse of its byte and inode ratios against the thresholds. A tier is
 * entered at its threshold and left only `hysteresisPct` points below it, so a disk hovering at 80% does not
 * flap between ok and warning: `previous` is the tier it was in (none: no memory, plain thresholds).
 */
export function tierOf(fullness: Fullness, thresholds: TierThresholds, previous: Tier = 'ok'): Tier {
  const pct = Math.max(fullness.bytesRatio, fullness.inodeRatio) * 100;
  const entered = plainTier(pct, thresholds);
  if (rank(entered) >= rank(previous)) return entered;
  // Going down: stay in the highest tier between `entered` and `previous` that is not yet left.
  for (let tier = rank(previous); tier > rank(entered); tier--) {
    if (pct > thresholdOf(TIERS[tier]!, thresholds) - thresholds.hysteresisPct) return TIERS[tier]!;
  }
  return entered;
}

export function worstTier(a: Tier, b: Tier): Tier {
  return rank(a) >= rank(b) ? a : b;
}

export function rank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

function plainTier(pct: number, thresholds: TierThresholds): Tier {
  if (pct >= thresholds.emergencyPct) return 'emergency';
  if (pct >= thresholds.criticalPct) return 'critical';
  if (pct >= thresholds.warningPct) return 'warning';
  return 'ok';
}

function thresholdOf(tier: Tier, thresholds: TierThresholds): number {
  if (tier === 'emergency') return thresholds.emergencyPct;
  if (tier === 'critical') return thresholds.criticalPct;
  if (tier === 'warning') return thresholds.warningPct;
  return 0;
}

/** What a target's tier is decided from (SPEC §7: warning_bytes/critical_bytes; blocked or quarantined → critical). */
export interface TargetTierInput {
  readonly bytes: number;
  readonly warningBytes?: number;
  readonly criticalBytes?: number;
  readonly blocked: boolean;
  readonly quarantined: boolean;
}

/**
 * The tier of a target, with the reason shown in events and alerts. Byte thresholds get the same hysteresis
 * as filesystems, in percent of the threshold: a target at warning_bytes stays warning until it is
 * `hysteresisPct` percent below it.
 */
export function targetTierOf(
  input: TargetTierInput,
  hysteresisPct: number,
  previous: Tier = 'ok',
): { tier: Tier; reason: string; cause: 'bytes' | 'blocked' | 'quarantined' } {
  if (input.quarantined) return { tier: 'critical', reason: 'quarantined: cleanups stopped', cause: 'quarantined' };
  if (input.blocked) return { tier: 'critical', reason: 'blocked: over its cap and nothing more may be deleted', cause: 'blocked' };
  const held = (threshold: number | undefined, tier: Tier): boolean =>
    threshold !== undefined && (input.bytes >= threshold || (rank(previous) >= rank(tier) && input.bytes > threshold * (1 - hysteresisPct / 100)));
  if (held(input.criticalBytes, 'critical')) return { tier: 'critical', reason: `${input.bytes} bytes, critical_bytes ${input.criticalBytes}`, cause: 'bytes' };
  if (held(input.warningBytes, 'warning')) return { tier: 'warning', reason: `${input.bytes} bytes, warning_bytes ${input.warningBytes}`, cause: 'bytes' };
  return { tier: 'ok', reason: 'within its thresholds', cause: 'bytes' };
}
