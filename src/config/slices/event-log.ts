import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** How long events are kept and how often the state is snapshotted. */
export const eventLogSlice = () =>
  z.object(variables('SM_EVENT_RETENTION_DAYS', 'SM_SNAPSHOT_EVERY_EVENTS')).transform(
    (env): Pick<AppConfig, 'eventLog'> => ({
      eventLog: { retentionDays: env.SM_EVENT_RETENTION_DAYS, snapshotEveryEvents: env.SM_SNAPSHOT_EVERY_EVENTS },
    }),
  );
