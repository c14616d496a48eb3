import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { TypeOrmEventLogRepository } from '../src/adapters/database/typeorm-event-log.repository.js';
import { EventLogRepository } from '../src/event-log/event-log.repository.js';
import { StateStore } from '../src/state/state.store.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { TEST_DB_KIND } from './support/test-database.js';

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp({ SM_SNAPSHOT_EVERY_EVENTS: '10' });
});

afterEach(async () => {
  await app.close();
});

async function register(path: string): Promise<void> {
  const body = JSON.stringify({ volume_name: 'v', path, algorithm: 'keep_n_latest', params: { keep_count: 1 } });
  const response = await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body });
  expect(response.status).toBe(201);
}

describe('event log storage', () => {
  it('is created by migrations, with durable SQLite settings', async () => {
    const dataSource = app.running.app.get(DataSource);
    expect(dataSource.options.synchronize).toBe(false);
    const migrations = await dataSource.query<Array<{ name: string }>>('SELECT name FROM migrations');
    expect(migrations.map((m) => m.name)).toEqual(['CreateEventLog1763769600000', 'DeletionRecords1796083200000']);
    expect(await dataSource.showMigrations()).toBe(false); // nothing pending
    const durability =
      TEST_DB_KIND === 'sqlite'
        ? { journal: await dataSource.query('PRAGMA journal_mode'), synchronous: await dataSource.query('PRAGMA synchronous') }
        : { type: dataSource.options.type };
    expect(durability).toEqual(
      TEST_DB_KIND === 'sqlite' ? { journal: [{ journal_mode: 'wal' }], synchronous: [{ synchronous: 2 }] } : { type: 'postgres' }, // 2: FULL
    );
  });

  it('offers no way to change or delete an event except compaction', () => {
    for (const surface of [EventLogRepository, TypeOrmEventLogRepository]) {
      const methods = Object.getOwnPropertyNames(surface.prototype).filter((m) => m !== 'constructor');
      expect(methods.filter((m) => /update|delete|remove|save|truncate|clear|set/i.test(m))).toEqual([]);
    }
    expect(app.running.app.get(EventLogRepository)).toBeInstanceOf(TypeOrmEventLogRepository);
    expect(Object.getOwnPropertyNames(TypeOrmEventLogRepository.prototype)).toContain('compact');
  });

  it('snapshots, compacts, and rebuilds the same state from what is left', async () => {
    for (let i = 0; i < 25; i++) await register(`/t${i}`);
    await rawRequest(app.url, 'DELETE', '/api/register/v/%2Ft7');
    const store = app.running.app.get(StateStore);
    const log = app.running.app.get(EventLogRepository);
    const covered = await store.snapshot();
    const before = (await log.stats()).events;
    // Compact as if the retention period had passed for every covered event.
    const dropped = await log.compact(covered, new Date(Date.now() + 86_400_000));
    expect(dropped).toBeGreaterThanOrEqual(27);
    expect((await log.stats()).events).toBe(before - dropped);

    const listBefore = (await rawRequest(app.url, 'GET', '/api/registrations')).json;
    app = await app.restart();
    const listAfter = (await rawRequest(app.url, 'GET', '/api/registrations')).json as unknown[];
    expect(listAfter).toHaveLength(24);
    expect(listAfter).toEqual(listBefore);
  });

  it('keeps events within the retention period when compacting', async () => {
    for (let i = 0; i < 12; i++) await register(`/k${i}`);
    const store = app.running.app.get(StateStore);
    expect(await store.compact()).toBe(0); // all recent: nothing dropped
    const events = (await rawRequest(app.url, 'GET', '/api/events?type=registration.created&limit=1000')).json as { events: unknown[] };
    expect(events.events).toHaveLength(12);
  });
});
