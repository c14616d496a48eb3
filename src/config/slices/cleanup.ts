import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** Emergency cleanup and quarantine. */
export const cleanupSlice = () =>
  z.object(variables('SM_EMERGENCY_AUTO', 'SM_QUARANTINE_AFTER')).transform(
    (env): Pick<AppConfig, 'emergencyAuto' | 'quarantineAfter'> => ({
      emergencyAuto: env.SM_EMERGENCY_AUTO,
      quarantineAfter: env.SM_QUARANTINE_AFTER,
    }),
  );
