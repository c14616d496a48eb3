import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { EVENT_LOG_ENTITIES } from './event-log.orm.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Builds the TypeORM DataSource for the configured database. SQLite runs in WAL mode with
 * synchronous=FULL, so a committed event survives a crash or power loss.
 */
export function createDataSource(database: AppConfig['database']): DataSource {
  const common = { entities: EVENT_LOG_ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  if (database.driver === 'postgres') {
    return new DataSource({ ...common, type: 'postgres', url: database.url, poolSize: 5, connectTimeoutMS: 10_000 });
  }
  mkdirSync(path.dirname(database.path), { recursive: true });
  return new DataSource({
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: true,
    timeout: 10_000,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    },
  });
}

/** Opens the database and applies pending migrations, in one transaction each. */
export async function openDatabase(database: AppConfig['database']): Promise<DataSource> {
  const dataSource = createDataSource(database);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
