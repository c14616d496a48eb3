import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** The adapter native watches go through, and how often what it cannot watch is swept instead. */
export const watchingSlice = () =>
  z
    .object(variables('SM_WATCHER', 'SM_WATCH_FALLBACK_SECONDS'))
    .transform((env): Pick<AppConfig, 'watcher' | 'watchFallbackSeconds'> => ({ watcher: env.SM_WATCHER, watchFallbackSeconds: env.SM_WATCH_FALLBACK_SECONDS }));
