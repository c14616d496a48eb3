import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { SystemClock } from '../src/common/clock.js';
import { EventBus } from '../src/common/event-bus.js';
import { SchedulerService } from '../src/scheduler/scheduler.service.js';
import { parseConfig, type AppConfig } from '../src/config/app-config.js';
import { openDatabase } from '../src/adapters/database/data-source.js';
import { TypeOrmEventLogRepository } from '../src/adapters/database/typeorm-event-log.repository.js';
import { MeasuringService } from '../src/measuring/measuring.service.js';
import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { StateStore } from '../src/state/state.store.js';
import { WatchPort, type WatchHandlers, type WatchMode, type WatchSubscription } from '../src/measuring/watch.port.js';
import { FakeVolumeCatalog } from './fakes/fake-volume-catalog.js';
import { createTestDatabase, TEST_DB_KIND, type TestDatabase } from './support/test-database.js';
import { roomyStateDisk } from './fakes/in-memory-state-disk.js';

/**
 * The event log must not become the next disk leak: one million file events through the real measuring
 * service and the real database leave only coalesced usage samples behind.
 */

const EVENTS = 1_000_000;
const BATCH = 10_000;
/** The documented bound: the log grows by at most one usage sample per target per monitor interval. */
const MAX_LOG_BYTES = 1024 * 1024;

/** A watcher whose events the test delivers itself (the real adapters are covered by the contract test). */
class ScriptedWatcher extends WatchPort {
  readonly name = 'scripted';
  handlers: WatchHandlers | undefined;
  async watch(_root: string, _mode: WatchMode, handlers: WatchHandlers): Promise<WatchSubscription> {
    this.handlers = handlers;
    return { staleAfterDirectoryMove: false, close: async () => undefined };
  }
}

let dir: string;
let db: TestDatabase;
let dataSource: DataSource;
let config: AppConfig;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-bounded-'));
  db = await createTestDatabase(path.join(dir, 'data'));
  config = parseConfig({ ...db.env, SM_VOLUMES_DIR: path.join(dir, 'volumes'), SM_DATA_DIR: path.join(dir, 'data') }, { cwd: dir });
  dataSource = await openDatabase(config.database);
});

afterAll(async () => {
  await dataSource.destroy();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('event log size', () => {
  it(`stays under ${MAX_LOG_BYTES / 1024} KiB after ${EVENTS.toLocaleString('en')} file events`, async () => {
    const root = path.join(dir, 'volumes', 'cam', 'rec');
    mkdirSync(root, { recursive: true });
    const files = Array.from({ length: 100 }, (_, i) => path.join(root, `f${i}`));
    for (const file of files) writeFileSync(file, 'x');

    const clock = new SystemClock();
    const log = new TypeOrmEventLogRepository(dataSource, clock);
    const bus = new EventBus();
    const store = new StateStore(log, clock, config, bus, new SchedulerService(clock), roomyStateDisk(clock, config));
    await store.load();
    const watcher = new ScriptedWatcher();
    const measuring = new MeasuringService(store, new FakeVolumeCatalog(path.join(dir, 'volumes')).add('cam'), watcher, new FsTreeReader(), clock, config, bus);
    await measuring.start();
    await store.record([
      {
        type: 'registration.created',
        target: 'cam:/rec',
        payload: {
          registration: {
            id: 'r1', volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 1e12 }, description: null,
            source: 'api', owner: null, status: 'active', quarantine: null, created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
          },
        },
      },
    ]);
    const monitor = await measuring.ready('r1');
    expect(monitor).toBeDefined();
    const before = await log.stats();

    for (let sent = 0; sent < EVENTS; sent += BATCH) {
      // Every batch really changes the files, so each event is a true update the engine must look at.
      appendFileSync(files[(sent / BATCH) % files.length]!, 'y');
      watcher.handlers!.onEvents(Array.from({ length: BATCH }, (_, i) => ({ kind: 'update' as const, path: files[i % files.length]! })));
      monitor!.flushNow();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await store.drain();
    const after = await log.stats();
    expect(monitor!.tally.bytes).toBe(100 + EVENTS / BATCH);
    expect(after.events - before.events).toBeLessThanOrEqual(2); // coalesced: at most a sample or two
    expect(after.sizeBytes).toBeLessThan(MAX_LOG_BYTES);
    // On SQLite the database file itself too; on PostgreSQL the relation sizes above are the storage.
    expect(TEST_DB_KIND === 'sqlite' ? statSync(db.env.SM_DB_PATH!).size : after.sizeBytes).toBeLessThan(MAX_LOG_BYTES);
    await measuring.close();
  });
});
