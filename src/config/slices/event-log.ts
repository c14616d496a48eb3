import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** How long events are kept, how often the state is snapshotted, and what keeps the log writing when its disk is full or away. */
export const eventLogSlice = () =>
  z.object(variables('SM_EVENT_RETENTION_DAYS', 'SM_SNAPSHOT_EVERY_EVENTS', 'SM_STATE_RESERVE_MB', 'SM_EVENT_SPOOL_MAX_EVENTS')).transform(
    (env): Pick<AppConfig, 'eventLog'> => ({
      eventLog: {
        retentionDays: env.SM_EVENT_RETENTION_DAYS,
        snapshotEveryEvents: env.SM_SNAPSHOT_EVERY_EVENTS,
        reserveBytes: env.SM_STATE_RESERVE_MB * 1024 * 1024,
        spoolMaxEvents: env.SM_EVENT_SPOOL_MAX_EVENTS,
      },
    }),
  );
