import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { NewEvent } from '../src/event-log/event.types.js';
import { StateStore } from '../src/state/state.store.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { TEST_DB_KIND } from './support/test-database.js';

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});

afterEach(async () => {
  await app.close();
});

const completed = (target: string, files: number): NewEvent => ({
  type: 'cleanup.completed',
  target,
  payload: { id: `reg-${target}`, trigger: 'threshold', dry_run: false, files, bytes: files, skipped: 0, errors: 0, duration_ms: 1, first_paths: [] },
  deleted: Array.from({ length: files }, (_, i) => ({ volume_name: target.split(':')[0]!, path: `/rec/f${String(i).padStart(6, '0')}`, bytes: 1 })),
});

describe('deletion records of a large run', () => {
  it("do not keep another target's record waiting: a run of one file recorded meanwhile commits first, and every row is kept", async () => {
    const store = app.running.app.get(StateStore);
    const big = store.record([completed('big:/rec', 50_000)]);
    const quiet = store.record([completed('quiet:/rec', 1)]);
    const [[bigEvent], [quietEvent]] = await Promise.all([big, quiet]);

    // SQLite stages a large run's records before the one writer's queue; PostgreSQL inserts them in its transaction.
    expect(TEST_DB_KIND !== 'sqlite' || quietEvent!.seq < bigEvent!.seq).toBe(true);
    const dataSource = app.running.app.get(DataSource);
    const counts = await dataSource.query<Array<{ event_seq: number; n: number }>>('SELECT event_seq, count(*) AS n FROM deletions GROUP BY event_seq ORDER BY event_seq');
    expect(Object.fromEntries(counts.map((c) => [Number(c.event_seq), Number(c.n)]))).toEqual({ [bigEvent!.seq]: 50_000, [quietEvent!.seq]: 1 });
    // Copied beside the event in several statements: every row once, in the run's order.
    const paths = await dataSource.query<Array<{ path: string }>>(`SELECT path FROM deletions WHERE event_seq = ${bigEvent!.seq} ORDER BY id`);
    expect(paths.map((p) => p.path)).toEqual(Array.from({ length: 50_000 }, (_, i) => `/rec/f${String(i).padStart(6, '0')}`));
    // No staging table is left behind.
    const temp = TEST_DB_KIND === 'sqlite' ? await dataSource.query("SELECT name FROM sqlite_temp_master WHERE type = 'table'") : [];
    expect(temp).toEqual([]);
  });
});
