import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom } from './support/random.mjs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { rawRequest } from './support/raw-http.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { createTestDatabase, TEST_DB_KIND, type TestDatabase } from './support/test-database.js';

/**
 * Crash safety: the real service is SIGKILLed at random moments while clients post registrations. After
 * every restart, every registration that was acknowledged must be there, exactly once, and the SQLite file
 * must pass its integrity check.
 */

const KILL_POINTS = Number(process.env.SM_CRASH_KILL_POINTS ?? 50);
const WRITERS = 3;
const SEED = Number(process.env.SM_CRASH_SEED ?? 20261122);


let dir: string;
let db: TestDatabase;
let current: ServiceProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-crash-'));
  mkdirSync(path.join(dir, 'volumes', 'crash'), { recursive: true });
  db = await createTestDatabase(path.join(dir, 'data'));
});

afterAll(async () => {
  if (current && current.child.exitCode === null && current.child.signalCode === null) {
    current.child.kill('SIGKILL');
    await current.exited;
  }
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it(`loses no acknowledged registration across ${KILL_POINTS} SIGKILLs`, async () => {
    const random = seededRandom(SEED);
    const env = { SM_API_HOST: '127.0.0.1', SM_API_PORT: '0', SM_VOLUMES_DIR: path.join(dir, 'volumes'), SM_DATA_DIR: path.join(dir, 'data'), ...db.env };
    const acknowledged = new Map<string, string>(); // path -> id
    const problems: string[] = [];
    const startupMs: number[] = [];
    let counter = 0;
    let killedMidRequest = 0;
    /** The exit code of the last start, stopped with SIGTERM after the last round's checks. */
    let finalExit: number | string | undefined;

    for (let round = 0; round <= KILL_POINTS; round++) {
      const spawned = performance.now();
      const service = spawnService(env, dir);
      current = service;
      const url = await service.ready;
      startupMs.push(performance.now() - spawned);

      // Everything acknowledged so far must be present, once.
      const listed = (await rawRequest(url, 'GET', '/api/registrations')).json as Array<{ id: string; path: string }>;
      const byPath = new Map<string, string[]>();
      for (const r of listed) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.id]);
      for (const [targetPath, id] of acknowledged) {
        const ids = byPath.get(targetPath);
        if (!ids) problems.push(`round ${round}: acknowledged ${targetPath} is missing`);
        else if (ids.length !== 1 || ids[0] !== id) problems.push(`round ${round}: ${targetPath} has ids ${ids.join(',')} (expected ${id})`);
      }
      if (new Set(listed.map((r) => r.id)).size !== listed.length) problems.push(`round ${round}: duplicate ids`);
      if (round === KILL_POINTS) {
        service.child.kill('SIGTERM');
        finalExit = await service.exited;
        break;
      }

      // Writers post new registrations (and sometimes repeat an acknowledged one) until the kill.
      let alive = true;
      const writer = async (): Promise<void> => {
        while (alive) {
          const repeat = acknowledged.size > 0 && random() < 0.2;
          const targetPath = repeat ? [...acknowledged.keys()][Math.floor(random() * acknowledged.size)]! : `/w/${counter++}`;
          const body = JSON.stringify({ volume_name: 'crash', path: targetPath, algorithm: 'keep_n_latest', params: { keep_count: 10 } });
          try {
            const response = await rawRequest(url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body });
            const id = (response.json as { id?: string } | undefined)?.id;
            if ((response.status === 201 || response.status === 200) && id) {
              const known = acknowledged.get(targetPath);
              if (known && known !== id) problems.push(`${targetPath} acknowledged with two ids`);
              acknowledged.set(targetPath, id);
            } else {
              problems.push(`unexpected answer ${response.status}: ${response.text.slice(0, 200)}`);
            }
          } catch {
            killedMidRequest++; // the connection died with the process: not acknowledged
            return;
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, () => writer());
      await new Promise((resolve) => setTimeout(resolve, 5 + random() * 200)); // the random kill point
      service.child.kill('SIGKILL');
      alive = false;
      await service.exited;
      await Promise.all(writers);

      if (TEST_DB_KIND === 'sqlite') {
        const file = new Database(db.env.SM_DB_PATH);
        const result = file.pragma('integrity_check', { simple: true });
        file.close();
        if (result !== 'ok') problems.push(`round ${round}: integrity_check says ${String(result)}`);
      }
    }

    const sorted = [...startupMs].sort((a, b) => a - b);
    writeFileSync(
      path.join(process.env.SM_TEST_RESULTS_DIR ?? dir, `crash-${TEST_DB_KIND}.json`),
      JSON.stringify({
        db: TEST_DB_KIND,
        killPoints: KILL_POINTS,
        acknowledged: acknowledged.size,
        killedMidRequest,
        startupMsMedian: Math.round(sorted[Math.floor(sorted.length / 2)]!),
        startupMsMax: Math.round(sorted[sorted.length - 1]!),
      }),
    );
    expect(problems).toEqual([]);
    expect(finalExit).toBe(0); // and the last start stopped cleanly on SIGTERM
    expect(acknowledged.size).toBeGreaterThan(KILL_POINTS); // the run did acknowledge writes between kills
  });
});
