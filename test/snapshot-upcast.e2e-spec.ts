import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../src/adapters/database/data-source.js';
import { TypeOrmEventLogRepository } from '../src/adapters/database/typeorm-event-log.repository.js';
import { startApp } from '../src/app.js';
import { FixedClock } from '../src/common/clock.js';
import { parseConfig } from '../src/config/app-config.js';
import type { NewEvent, Registration } from '../src/event-log/event.types.js';
import { STATE_VERSION } from '../src/state/state.model.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A log written by release 0.1 (state version 1), whose events before its last snapshot were compacted away
 * (SM_EVENT_RETENTION_DAYS passed): everything the manager knows is in that snapshot. A release with a newer
 * state version must upcast it, never replay from nothing.
 */
const T0 = new Date('2026-01-10T08:00:00.000Z');

function registration(id: string, volume: string, target: string, extra: Partial<Registration> = {}): Registration {
  return {
    id, volume_name: volume, path: target, algorithm: 'keep_n_latest', params: { keep_count: 3 }, description: `${id} of 0.1`,
    source: 'api', owner: null, status: 'active', quarantine: null, created_at: T0.toISOString(), updated_at: T0.toISOString(), ...extra,
  };
}

const r1 = registration('r1', 'cam', '/rec');
const r2 = registration('r2', 'cam', '/thumbs', { quarantine: { since: '2026-01-11T09:00:00.000Z', reason: 'target root was replaced' } });
const r3 = registration('r3', 'gone', '/data', { status: 'pending' });

/** The state exactly as version 1 wrote it into a snapshot. */
const V1_STATE = {
  registrations: { 'cam:/rec': r1, 'cam:/thumbs': r2, 'gone:/data': r3 },
  maintenance: { enabled: true, reason: 'disk swap', since: '2026-01-12T10:00:00.000Z' },
  cleanups: { 'cam:/rec': { at: '2026-01-12T11:00:00.000Z', trigger: 'threshold', files_removed: 5, bytes_freed: 5000 } },
  failures: { 'cam:/thumbs': 2 },
  blocked: { 'gone:/data': { since: '2026-01-12T12:00:00.000Z', reason: 'files too young', over_by: 7, unit: 'files' } },
};

let dir: string;
let db: TestDatabase;
let app: TestApp | undefined;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-upcast-'));
  db = await createTestDatabase(path.join(dir, 'data'));
  mkdirSync(path.join(dir, 'volumes', 'cam', 'rec'), { recursive: true });
  mkdirSync(path.join(dir, 'volumes', 'cam', 'thumbs'), { recursive: true });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the 0.1 history, a snapshot of `version` holding `state`, and compacts everything it covers. */
async function writeCompactedLog(version: number, state: unknown, later: NewEvent[] = []): Promise<void> {
  const config = parseConfig({ ...db.env, SM_DATA_DIR: path.join(dir, 'data'), SM_VOLUMES_DIR: path.join(dir, 'volumes') }, { cwd: dir });
  const dataSource = await openDatabase(config.database);
  try {
    const log = new TypeOrmEventLogRepository(dataSource, new FixedClock(T0));
    await log.append([
      { type: 'registration.created', target: 'cam:/rec', payload: { registration: r1 } },
      { type: 'registration.created', target: 'cam:/thumbs', payload: { registration: { ...r2, quarantine: null } } },
      { type: 'registration.created', target: 'gone:/data', payload: { registration: r3 } },
      { type: 'quarantine.entered', target: 'cam:/thumbs', payload: { id: 'r2', reason: 'target root was replaced' } },
    ]);
    const seq = await log.lastSeq();
    await log.appendSnapshot(seq, version, state);
    const dropped = await log.compact(seq, new Date('2030-01-01T00:00:00Z'));
    expect(dropped).toBe(4);
    await log.append(later);
  } finally {
    await dataSource.destroy();
  }
}

async function getJson(url: string, route: string): Promise<unknown> {
  const response = await rawRequest(url, 'GET', route);
  expect(response.status).toBeLessThan(300);
  return response.json;
}

describe('a snapshot of an older state version', () => {
  it(`is upcast from version 1 to ${STATE_VERSION}: every registration, maintenance flag, quarantine and cleanup record survives`, async () => {
    expect(STATE_VERSION).toBeGreaterThan(1);
    const r4 = registration('r4', 'cam', '/later');
    await writeCompactedLog(1, V1_STATE, [{ type: 'registration.created', target: 'cam:/later', payload: { registration: r4 } }]);

    app = await startTestApp({}, { dir, db });

    const list = (await getJson(app.url, '/api/registrations')) as Registration[];
    expect(list.map((r) => r.id).sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(list.find((r) => r.id === 'r2')?.quarantine).toEqual({ since: '2026-01-11T09:00:00.000Z', reason: 'target root was replaced' });
    expect(list.find((r) => r.id === 'r1')?.description).toBe('r1 of 0.1');

    expect(await getJson(app.url, '/api/maintenance')).toMatchObject({ enabled: true, reason: 'disk swap' });

    const volumes = (await getJson(app.url, '/api/volumes?name=cam')) as Array<{ registrations: Array<{ path: string; last_cleaned: string | null; files_removed_last_run: number | null }> }>;
    expect(volumes[0]?.registrations.find((r) => r.path === '/rec')).toMatchObject({ last_cleaned: '2026-01-12T11:00:00Z', files_removed_last_run: 5 });

    const health = (await rawRequest(app.url, 'GET', '/api/health')).json;
    expect(health).toMatchObject({ blocked: [{ target: 'gone:/data', reason: 'files too young', since: '2026-01-12T12:00:00.000Z' }] });
  });

  it('of a newer version than this release knows stops start-up with a message that says so', async () => {
    await writeCompactedLog(STATE_VERSION + 1, { registrations: { 'cam:/rec': r1 } });
    const config = parseConfig(
      { ...db.env, SM_API_HOST: '127.0.0.1', SM_DATA_DIR: path.join(dir, 'data'), SM_VOLUMES_DIR: path.join(dir, 'volumes') },
      { cwd: dir },
    );
    await expect(startApp(config, { port: 0 })).rejects.toThrow(
      new RegExp(`snapshot of version ${STATE_VERSION + 1}, written by a newer release; this release understands up to version ${STATE_VERSION}`),
    );
  });
});
