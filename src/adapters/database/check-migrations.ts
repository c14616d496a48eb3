import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataSource, EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { openDatabase } from './data-source.js';
import { EVENT_LOG_ENTITIES } from './event-log.orm.js';

/**
 * `npm run migration:check`: the service never lets TypeORM synchronise the schema (`synchronize: false`), so the
 * migrations alone must build exactly what the entities describe. The check opens a throwaway database as the
 * service opens its own (every migration applied) and compares it with what the entities describe:
 *
 * - PostgreSQL: TypeORM's own schema diff — the statements its schema builder would still run to match the
 *   entities — must be empty.
 * - SQLite: TypeORM's diff cannot be used as is. Its SQLite introspection recognises AUTOINCREMENT only on a
 *   double-quoted column name and reads an `INTEGER PRIMARY KEY` (the rowid) as nullable, so it "differs" from
 *   any hand-written migration; and for a `bigint` auto-increment key it would write `bigint PRIMARY KEY
 *   AUTOINCREMENT`, which SQLite rejects (only `INTEGER PRIMARY KEY` can auto-increment: a 64-bit rowid).
 *   So TypeORM builds a second throwaway database from the entities (`synchronize`, with such keys declared
 *   `integer`), and the two are compared through SQLite's own catalogue: tables, columns (type, NOT NULL, key),
 *   AUTOINCREMENT, and indices with their columns.
 *
 * Anything that differs means a migration is missing, or an entity changed without one.
 */

/** What a freshly migrated `database` lacks, or has too much, compared with the entities (empty when they agree). */
export async function schemaDrift(database: AppConfig['database']): Promise<string[]> {
  const migrated = await openDatabase(database);
  try {
    if (database.driver === 'postgres') {
      const pending = await migrated.driver.createSchemaBuilder().log();
      return pending.upQueries.map((query) => query.query);
    }
    const fromEntities = new DataSource({ type: 'better-sqlite3', database: `${database.path}.from-entities`, entities: sqliteEntities(), synchronize: true });
    await fromEntities.initialize();
    try {
      return differences(await sqliteSchema(migrated), await sqliteSchema(fromEntities));
    } finally {
      await fromEntities.destroy();
      rmSync(`${database.path}.from-entities`, { force: true });
    }
  } finally {
    await migrated.destroy();
  }
}

/** The check on a throwaway SQLite database, removed afterwards. */
export async function checkMigrations(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-migration-check-'));
  try {
    return await schemaDrift({ driver: 'sqlite', path: path.join(dir, 'check.sqlite') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The entities as SQLite can hold them: an auto-increment `bigint` key becomes `integer` (the rowid), nothing else changes. */
function sqliteEntities(): EntitySchema[] {
  const asRowid = (column: EntitySchemaColumnOptions | undefined): EntitySchemaColumnOptions | undefined =>
    column?.primary === true && column.generated === 'increment' && column.type === 'bigint' ? { ...column, type: 'integer' } : column;
  return EVENT_LOG_ENTITIES.map((schema) => {
    const options: EntitySchema['options'] = schema.options;
    return new EntitySchema({ ...options, columns: Object.fromEntries(Object.entries(options.columns).map(([name, column]) => [name, asRowid(column)])) });
  });
}

interface TableShape {
  readonly autoincrement: boolean;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string; readonly notNull: boolean; readonly key: number }>;
  readonly indices: ReadonlyArray<{ readonly name: string; readonly unique: boolean; readonly columns: readonly string[] }>;
}

/** Every table but the migrations' own bookkeeping, as SQLite describes it. */
async function sqliteSchema(dataSource: DataSource): Promise<Map<string, TableShape>> {
  const tables = await dataSource.query<Array<{ name: string; sql: string }>>(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('migrations', 'typeorm_metadata') ORDER BY name",
  );
  const schema = new Map<string, TableShape>();
  for (const { name, sql } of tables) {
    const columns = await dataSource.query<Array<{ name: string; type: string; notnull: number; pk: number }>>(`PRAGMA table_info("${name}")`);
    const rowid = columns.filter((c) => c.pk > 0).length === 1 ? columns.find((c) => c.pk > 0 && c.type.toUpperCase() === 'INTEGER') : undefined;
    const indexList = await dataSource.query<Array<{ name: string; unique: number; origin: string }>>(`PRAGMA index_list("${name}")`);
    const indices = [];
    for (const index of indexList.filter((i) => i.origin === 'c').sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const parts = await dataSource.query<Array<{ seqno: number; name: string }>>(`PRAGMA index_info("${index.name}")`);
      indices.push({ name: index.name, unique: index.unique === 1, columns: parts.sort((a, b) => a.seqno - b.seqno).map((p) => p.name) });
    }
    schema.set(name, {
      autoincrement: /\bAUTOINCREMENT\b/i.test(sql),
      // The rowid key can never hold NULL, whether or not its declaration says NOT NULL.
      columns: columns.map((c) => ({ name: c.name, type: c.type.toUpperCase(), notNull: c.notnull === 1 || c === rowid, key: c.pk })),
      indices,
    });
  }
  return schema;
}

function differences(migrated: Map<string, TableShape>, fromEntities: Map<string, TableShape>): string[] {
  const found: string[] = [];
  const show = (value: unknown): string => JSON.stringify(value);
  for (const name of new Set([...migrated.keys(), ...fromEntities.keys()])) {
    const a = migrated.get(name);
    const b = fromEntities.get(name);
    if (!a || !b) {
      found.push(`table ${name}: ${a ? 'created by the migrations but not an entity' : 'an entity the migrations do not create'}`);
      continue;
    }
    if (a.autoincrement !== b.autoincrement) found.push(`table ${name}: AUTOINCREMENT ${a.autoincrement ? 'in the migrations only' : 'in the entities only'}`);
    for (const column of new Set([...a.columns, ...b.columns].map((c) => c.name))) {
      const ca = a.columns.find((c) => c.name === column);
      const cb = b.columns.find((c) => c.name === column);
      if (show(ca) !== show(cb)) found.push(`column ${name}.${column}: migrations ${show(ca ?? 'missing')}, entities ${show(cb ?? 'missing')}`);
    }
    for (const index of new Set([...a.indices, ...b.indices].map((i) => i.name))) {
      const ia = a.indices.find((i) => i.name === index);
      const ib = b.indices.find((i) => i.name === index);
      if (show(ia) !== show(ib)) found.push(`index ${index} on ${name}: migrations ${show(ia ?? 'missing')}, entities ${show(ib ?? 'missing')}`);
    }
  }
  return found;
}

async function main(): Promise<void> {
  const drift = await checkMigrations();
  if (drift.length === 0) {
    process.stdout.write('migration check: the migrations build exactly the schema the entities describe\n');
    return;
  }
  process.stderr.write(
    `migration check failed: the migrations and the entities disagree (add a migration, or bring the entities in line):\n` +
      `${drift.map((line) => `  ${line}`).join('\n')}\n`,
  );
  process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`migration check could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
