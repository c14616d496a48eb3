import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/app-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';


/** A real service in this process, on a temporary volumes directory and a fresh database. */
export interface TestApp {
  readonly url: string;
  readonly running: RunningApp;
  /** The temporary directory; `volumesDir` and `dataDir` are inside it. */
  readonly dir: string;
  readonly volumesDir: string;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  /** Stops the service and starts it again on the same database and directories. */
  restart(extraEnv?: Record<string, string>): Promise<TestApp>;
  /** Stops the service and removes its directories and database. */
  close(): Promise<void>;
}

export async function startTestApp(extraEnv: Record<string, string> = {}, reuse?: { dir: string; db: TestDatabase }): Promise<TestApp> {
  const dir = reuse?.dir ?? mkdtempSync(path.join(tmpdir(), 'sm-app-'));
  const dataDir = path.join(dir, 'data');
  const volumesDir = path.join(dir, 'volumes');
  mkdirSync(volumesDir, { recursive: true });
  const db = reuse?.db ?? (await createTestDatabase(dataDir));
  const env: Record<string, string> = {
    SM_API_HOST: '127.0.0.1',
    SM_VOLUMES_DIR: volumesDir,
    SM_DATA_DIR: dataDir,
    // No 32 MiB reserve written per test app: the specs of the full disk set their own.
    SM_STATE_RESERVE_MB: '0',
    ...db.env,
    ...extraEnv,
  };
  const running = await startApp(parseConfig(env, { cwd: dir }), { port: 0 });
  const app: TestApp = {
    url: running.url,
    running,
    dir,
    volumesDir,
    dataDir,
    env,
    restart: async (more = {}) => {
      await running.shutdown('test restart');
      return startTestApp({ ...extraEnv, ...more }, { dir, db });
    },
    close: async () => {
      await running.shutdown('test end');
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return app;
}
