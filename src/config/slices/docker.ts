import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables } from '../variables.js';

/** The Docker Engine the Docker catalog and label discovery read (none: standalone only). */
export const dockerSlice = () =>
  z.object(variables('SM_DOCKER_HOST')).transform((env): Pick<AppConfig, 'docker'> => ({ docker: { endpoint: env.SM_DOCKER_HOST } }));
