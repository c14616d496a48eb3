import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { schemaDrift } from '../src/adapters/database/check-migrations.js';
import { openDatabase } from '../src/adapters/database/data-source.js';
import type { AppConfig } from '../src/config/app-config.js';
import { PROJECT_ROOT } from './support/service-process.js';
import { createTestDatabase, TEST_DB_KIND, type TestDatabase } from './support/test-database.js';

/** `synchronize` is off: the migrations alone must build the schema the entities describe (npm run migration:check). */

const CHECK = 'dist/adapters/database/check-migrations.js';

let db: TestDatabase;
let database: AppConfig['database'];

beforeEach(async () => {
  db = await createTestDatabase();
  database = db.env.SM_DB_URL ? { driver: 'postgres', url: db.env.SM_DB_URL } : { driver: 'sqlite', path: db.env.SM_DB_PATH! };
});

afterEach(async () => {
  await db.drop();
});

describe(`migrations against the entities (${TEST_DB_KIND})`, () => {
  it('build exactly the schema the entities describe', async () => {
    await expect(schemaDrift(database)).resolves.toEqual([]);
  });

  it('the check sees a difference: an index the migrations created, dropped behind their back', async () => {
    const dataSource = await openDatabase(database);
    await dataSource.query('DROP INDEX events_at');
    await dataSource.destroy();

    const drift = await schemaDrift(database);

    expect(drift).toEqual([expect.stringContaining('events_at')]);
  });
});

describe('npm run migration:check', () => {
  it(`runs the built check (${CHECK}) on a throwaway SQLite database and passes`, () => {
    const scripts = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['migration:check']).toContain(`node ${CHECK}`);
    expect(existsSync(path.join(PROJECT_ROOT, CHECK))).toBe(true); // npm test builds first; alone: npm run build

    const check = spawnSync(process.execPath, [CHECK], { cwd: PROJECT_ROOT, encoding: 'utf8' });

    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    expect(check.stdout).toMatch(/the migrations build exactly the schema the entities describe/);
  });
});
