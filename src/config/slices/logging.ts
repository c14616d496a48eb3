import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** How much the service logs. */
export const loggingSlice = () =>
  z.object(variables('SM_LOG_LEVEL')).transform((env): Pick<AppConfig, 'logLevel'> => ({ logLevel: env.SM_LOG_LEVEL }));
