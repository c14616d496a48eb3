import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** Where the HTTP API listens, its token and what it accepts. */
export const apiSlice = () =>
  z
    .object(variables('SM_API_HOST', 'SM_API_PORT', 'SM_API_TOKEN', 'SM_PROTECT_READS', 'SM_MAX_BODY_BYTES'))
    .transform(
      (env): Pick<AppConfig, 'api'> => ({
        api: {
          host: env.SM_API_HOST,
          port: env.SM_API_PORT,
          token: env.SM_API_TOKEN,
          protectReads: env.SM_PROTECT_READS,
          maxBodyBytes: env.SM_MAX_BODY_BYTES,
        },
      }),
    );
