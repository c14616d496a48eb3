import path from 'node:path';
import { z } from 'zod';
import type { AppConfig, Runtime } from '../config.types.js';
import { variables } from '../variables.js';

/** The event log's database (SQLite unless a PostgreSQL URL is set) and the manager's own data directory. */
export const databaseSlice = (runtime: Runtime) =>
  z.object(variables('SM_DB_PATH', 'SM_DB_URL', 'SM_DATA_DIR')).transform((env): Pick<AppConfig, 'database' | 'dataDir'> => {
    const dbPath = path.resolve(runtime.cwd, env.SM_DB_PATH);
    return {
      database: env.SM_DB_URL ? { driver: 'postgres', url: env.SM_DB_URL } : { driver: 'sqlite', path: dbPath },
      dataDir: path.resolve(runtime.cwd, env.SM_DATA_DIR ?? path.dirname(dbPath)),
    };
  });
