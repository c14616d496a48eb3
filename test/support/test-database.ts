import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A fresh, empty database for one test: a SQLite file in a temporary directory, or — when the suite runs
 * with SM_TEST_DB=postgres — a new database on the PostgreSQL server at SM_TEST_PG_URL.
 */
export interface TestDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** Environment variables that point the service at this database. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

export const TEST_DB_KIND: 'sqlite' | 'postgres' = process.env.SM_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

let counter = 0;

export async function createTestDatabase(dir?: string): Promise<TestDatabase> {
  if (TEST_DB_KIND === 'postgres') {
    const admin = process.env.SM_TEST_PG_URL;
    if (!admin) throw new Error('SM_TEST_DB=postgres needs SM_TEST_PG_URL (the test runner starts a server)');
    const name = `sm_test_${process.pid}_${Date.now()}_${counter++}`;
    await withClient(admin, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      kind: 'postgres',
      env: { SM_DB_URL: url.toString() },
      drop: () => withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    };
  }
  const owned = dir === undefined;
  const base = dir ?? mkdtempSync(path.join(tmpdir(), 'sm-db-'));
  return {
    kind: 'sqlite',
    env: { SM_DB_PATH: path.join(base, 'storage_manager.db') },
    drop: async () => {
      if (owned) rmSync(base, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
