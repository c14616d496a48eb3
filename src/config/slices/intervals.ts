import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** How often the background jobs run. */
export const intervalsSlice = () =>
  z.object(variables('SM_CHECK_INTERVAL_SECONDS', 'SM_MONITOR_INTERVAL_SECONDS', 'SM_DISCOVERY_INTERVAL_SECONDS')).transform(
    (env): Pick<AppConfig, 'intervals'> => ({
      intervals: {
        checkSeconds: env.SM_CHECK_INTERVAL_SECONDS,
        monitorSeconds: env.SM_MONITOR_INTERVAL_SECONDS,
        discoverySeconds: env.SM_DISCOVERY_INTERVAL_SECONDS,
      },
    }),
  );
