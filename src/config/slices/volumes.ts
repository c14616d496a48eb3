import path from 'node:path';
import { z } from 'zod';
import type { AppConfig, Runtime } from '../config.types.js';
import { variables } from '../variables.js';

/** Where volumes are: the standalone volumes directory, named host roots, the host's mount prefix. */
export const volumesSlice = (runtime: Runtime) =>
  z.object(variables('SM_VOLUMES_DIR', 'SM_ROOTS', 'SM_HOST_ROOT')).transform(
    (env): Pick<AppConfig, 'volumes'> => ({
      volumes: { dir: path.resolve(runtime.cwd, env.SM_VOLUMES_DIR), roots: env.SM_ROOTS, hostRoot: env.SM_HOST_ROOT },
    }),
  );
