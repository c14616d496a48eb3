import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { checkDatabaseFile } from './database-file-check.js';
import { EVENT_LOG_ENTITIES } from './event-log.orm.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Builds the TypeORM DataSource for the configured database. SQLite runs in WAL mode with
 * synchronous=FULL, so a committed event survives a crash or power loss.
 */
export function createDataSource(database: AppConfig['database']): DataSource {
  const common = { entities: EVENT_LOG_ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  if (database.driver === 'postgres') {
    const logger = new Logger('DatabasePool');
    return new DataSource({
      ...common,
      type: 'postgres',
      url: database.url,
      poolSize: 5,
      connectTimeoutMS: 10_000,
      // An idle pooled connection ended by the server (a restart, a fast shutdown) is an `error` event on the pool:
      // handled here, never thrown. The connection is dropped; the next query opens another or fails, and the state
      // store spools what it cannot write meanwhile.
      poolErrorHandler: (error: unknown) => logger.warn(`A pooled PostgreSQL connection ended: ${error instanceof Error ? error.message : String(error)}`),
    });
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
      // Staged deletion records (see TypeOrmEventLogRepository.stageDeletions) stay in memory, never on a full disk.
      db.pragma('temp_store = MEMORY');
    },
  });
}

/**
 * Opens the database and applies pending migrations, in one transaction each. A SQLite file is checked first,
 * before anything may write to it: a damaged one stops start-up with a CorruptDatabaseError.
 */
export async function openDatabase(database: AppConfig['database']): Promise<DataSource> {
  if (database.driver === 'sqlite') {
    const checkedMs = checkDatabaseFile(database.path);
    if (checkedMs !== undefined) new Logger('DatabaseFileCheck').log(`${database.path}: quick_check ok (${Math.round(checkedMs)} ms)`);
  }
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
