import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** The adapter native watches go through. */
export const watchingSlice = () =>
  z.object(variables('SM_WATCHER')).transform((env): Pick<AppConfig, 'watcher'> => ({ watcher: env.SM_WATCHER }));
