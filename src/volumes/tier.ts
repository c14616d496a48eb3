import type { AppConfig } from '../config/app-config.js';

export const TIERS = ['ok', 'warning', 'critical', 'emergency'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * The tier of a used ratio (0..1) against the configured thresholds, without memory of the previous tier.
 * (Hysteresis, which needs the previous tier, is applied by the tier tracker of the alerting part.)
 */
export function tierOfRatio(usedRatio: number, tiers: AppConfig['tiers']): Tier {
  const pct = usedRatio * 100;
  if (pct >= tiers.emergencyPct) return 'emergency';
  if (pct >= tiers.criticalPct) return 'critical';
  if (pct >= tiers.warningPct) return 'warning';
  return 'ok';
}

export function worstTier(a: Tier, b: Tier): Tier {
  return TIERS.indexOf(a) >= TIERS.indexOf(b) ? a : b;
}
