import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables, whenValid } from '../variables.js';

/** Filesystem tier thresholds: rising warning < critical < emergency, each left a hysteresis below it. */
export const tiersSlice = () =>
  z
    .object(variables('SM_WARNING_PCT', 'SM_CRITICAL_PCT', 'SM_EMERGENCY_PCT', 'SM_TIER_HYSTERESIS_PCT'))
    .superRefine(
      (env, ctx) => {
        if (env.SM_TIER_HYSTERESIS_PCT >= env.SM_WARNING_PCT) {
          ctx.addIssue({ code: 'custom', path: ['SM_TIER_HYSTERESIS_PCT'], message: 'must be a number from 0 to below SM_WARNING_PCT' });
        }
      },
      whenValid('SM_TIER_HYSTERESIS_PCT', 'SM_WARNING_PCT'),
    )
    .superRefine(
      (env, ctx) => {
        if (!(env.SM_WARNING_PCT < env.SM_CRITICAL_PCT && env.SM_CRITICAL_PCT < env.SM_EMERGENCY_PCT)) {
          ctx.addIssue({ code: 'custom', message: 'SM_WARNING_PCT < SM_CRITICAL_PCT < SM_EMERGENCY_PCT must hold' });
        }
      },
      whenValid('SM_WARNING_PCT', 'SM_CRITICAL_PCT', 'SM_EMERGENCY_PCT'),
    )
    .transform(
      (env): Pick<AppConfig, 'tiers'> => ({
        tiers: {
          warningPct: env.SM_WARNING_PCT,
          criticalPct: env.SM_CRITICAL_PCT,
          emergencyPct: env.SM_EMERGENCY_PCT,
          hysteresisPct: env.SM_TIER_HYSTERESIS_PCT,
        },
      }),
    );
