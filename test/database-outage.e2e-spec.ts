import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually } from './support/eventually.js';
import { findCount } from './support/find-count.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.mjs';
import { rawRequest } from './support/raw-http.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';

/**
 * SPEC §8, "cleanup never waits for the database": the service runs on its own private PostgreSQL server, which
 * this spec stops (`pg_ctl stop -m fast`) for OUTAGE_MS while a writer keeps pushing a max_size target over its
 * cap, and then starts again. Runs once, in the SQLite pass of the suite: it brings its own server whatever SM_TEST_DB is (jest.config.js).
 */

const OUTAGE_MS = 30_000;
const FILE_BYTES = 4096;
/** The cap: 100 files. */
const CAP = 100 * FILE_BYTES;
/** The writer: one file every WRITE_EVERY_MS (40 files, 160 KiB a second). */
const WRITE_EVERY_MS = 25;
/**
 * How far over the cap the target may be seen between a write and the cleanup it triggers: two seconds of writes
 * (about a tenth of that is seen on an idle machine; the margin is for a suite running beside it).
 */
const OVERSHOOT = 2 * (1000 / WRITE_EVERY_MS) * FILE_BYTES;
/** The flush retries with a backoff of at most 30 s (FLUSH_MAX_DELAY_MS); plus a margin for the reconnect. */
const BACK_WITHIN_MS = 30_000 + 10_000;

interface Event {
  seq: number;
  at: string;
  type: string;
  target: string | null;
  payload: Record<string, unknown>;
}

let postgres: TestPostgres;
let service: ServiceProcess;
let dir: string;
let root: string;
let url: string;

/** The app writing into its volume: sequential files, counted here (the independent count of what it created). */
class Writer {
  created = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly into: string) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    const data = Buffer.alloc(FILE_BYTES, 0x61);
    while (!this.stopped) {
      await writeFile(path.join(this.into, `f${String(this.created).padStart(6, '0')}.bin`), data);
      this.created++;
      await new Promise((resolve) => setTimeout(resolve, WRITE_EVERY_MS));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

async function json<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await rawRequest(url, method, route, body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: response.json as T };
}

/** The metric's value in /metrics (one without labels). */
async function metric(name: string): Promise<number> {
  const { text } = await rawRequest(url, 'GET', '/metrics');
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.split(' ')[1]);
}

/** The whole log, page by page. */
async function allEvents(): Promise<Event[]> {
  const events: Event[] = [];
  let since = 0;
  for (;;) {
    const page = await json<{ events: Event[]; next_since: number | null }>('GET', `/api/events?since=${since}&limit=1000`);
    expect(page.status).toBe(200);
    events.push(...page.body.events);
    if (page.body.events.length < 1000) return events;
    since = page.body.next_since!;
  }
}

const filesOf = (events: Event[]): number =>
  events.filter((e) => e.type === 'cleanup.completed' && e.payload.dry_run === false).reduce((n, e) => n + Number(e.payload.files), 0);

beforeAll(async () => {
  postgres = await startPostgres();
  dir = mkdtempSync(path.join(tmpdir(), 'sm-pgoutage-'));
  root = path.join(dir, 'volumes', 'cam', 'rec');
  mkdirSync(root, { recursive: true });
  service = spawnService(
    {
      SM_DB_URL: postgres.url,
      SM_API_HOST: '127.0.0.1',
      SM_API_PORT: '0',
      SM_VOLUMES_DIR: path.join(dir, 'volumes'),
      SM_DATA_DIR: path.join(dir, 'data'),
      SM_STATE_RESERVE_MB: '1',
      SM_LOG_LEVEL: 'INFO',
    },
    dir,
  );
  url = await service.ready;
}, 60_000);

afterAll(async () => {
  if (service && service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
  // The service's output, for a failure to be read afterwards.
  if (service && process.env.SM_TEST_RESULTS_DIR) writeFileSync(path.join(process.env.SM_TEST_RESULTS_DIR, 'database-outage-service.log'), service.output());
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('PostgreSQL stopped for 30 s mid-run and started again: no event lost or duplicated, cleanup uninterrupted', async () => {
  // The data directory is created by the manager even though the database is not in it: the reserve is there.
  const started = await json<{ state_disk: { full: boolean; reserve_bytes: number } }>('GET', '/api/health');
  expect(started.body.state_disk).toMatchObject({ full: false, reserve_bytes: 1024 * 1024 });
  const registered = await json('POST', '/api/register', {
    volume_name: 'cam',
    path: '/rec',
    algorithm: 'max_size',
    params: { max_bytes: CAP, sort_by: 'mtime', min_age_seconds: 0 },
  });
  expect(registered.status).toBe(201);
  const writer = new Writer(root);
  try {
    // Running normally: cleanups are committed as they happen.
    await eventually('a first cleanup in the log', async () => {
      const { body } = await json<{ events: Event[] }>('GET', '/api/events?type=cleanup.completed&limit=1');
      return body.events.length > 0 ? true : undefined;
    });

    // --- PostgreSQL away ---
    const before = { created: writer.created, present: findCount(root, { live: true }).files };
    postgres.halt();
    const haltedAt = performance.now();
    const samples: Array<{ bytes: number; health: number; writes: string; problems: string[]; writable: number; spool: number }> = [];
    let refused: { status: number; body: { message: string; error: string } } | undefined;
    while (performance.now() - haltedAt < OUTAGE_MS) {
      const health = await json<{ problems: string[]; database: { writes: { status: string } } }>('GET', '/api/health');
      samples.push({
        bytes: findCount(root, { live: true }).bytes,
        health: health.status,
        writes: health.body.database.writes.status,
        problems: health.body.problems,
        writable: await metric('storage_manager_database_writable'),
        spool: await metric('storage_manager_event_spool_events'),
      });
      if (!refused && samples.length >= 3) {
        refused = await json('POST', '/api/register', { volume_name: 'cam', path: '/other', algorithm: 'max_size', params: { max_bytes: CAP } });
      }
      await new Promise((resolve) => setTimeout(resolve, 500)); // the sampling pace, not a wait for anything
    }
    const during = { created: writer.created, present: findCount(root, { live: true }).files };
    const spooled = samples.at(-1)!.spool;

    // The first samples may be taken before the service has tried a write and found the database away.
    const away = samples.slice(samples.findIndex((s) => s.writes !== 'ok'));
    expect(away.length).toBeGreaterThan(samples.length - 4);
    for (const sample of away) {
      expect(sample).toMatchObject({ health: 503, writes: 'unavailable', writable: 0 });
      expect(sample.problems.join('\n')).toMatch(/event log cannot be written .*database/);
    }
    expect(spooled).toBeGreaterThan(away[0]!.spool);
    expect(refused?.status).toBe(503);
    expect(refused?.body.message).toMatch(/database cannot be written .*the request was not applied/);
    // Cleanup went on, keeping the target about its cap (a file written just before a sample is not gone yet).
    const createdMeanwhile = during.created - before.created;
    const deletedMeanwhile = createdMeanwhile - (during.present - before.present);
    expect(createdMeanwhile).toBeGreaterThan(300);
    expect(deletedMeanwhile).toBeGreaterThanOrEqual(createdMeanwhile - (CAP + OVERSHOOT) / FILE_BYTES);
    expect(Math.max(...samples.map((s) => s.bytes))).toBeLessThanOrEqual(CAP + OVERSHOOT);
    expect(service.child.exitCode).toBeNull(); // the pool's connection errors did not end the process

    // --- PostgreSQL back ---
    postgres.resume();
    const resumedAt = performance.now();
    await eventually(
      'health 200 once PostgreSQL is back',
      async () => ((await json('GET', '/api/health')).status === 200 ? true : undefined),
      BACK_WITHIN_MS,
      100,
    );
    const flushMs = Math.round(performance.now() - resumedAt);
    expect(await metric('storage_manager_database_writable')).toBe(1);
    expect(await metric('storage_manager_event_spool_events')).toBe(0);
    expect(await metric('storage_manager_event_spool_dropped_events')).toBe(0);
    expect((await json('POST', '/api/register', { volume_name: 'cam', path: '/other', algorithm: 'max_size', params: { max_bytes: CAP } })).status).toBe(201);

    await writer.stop();
    await eventually('the target under its cap once the writer stops', () => (findCount(root, { live: true }).bytes <= CAP ? true : undefined));
    // Every deletion on disk is in the log, once: what the writer created, less what is left.
    let seen = {};
    const deleted = await eventually(
      'the log to account for every file deleted',
      async () => {
        const gone = writer.created - findCount(root, { live: true }).files;
        const logged = filesOf(await allEvents());
        seen = { created: writer.created, gone, logged };
        return logged === gone ? gone : undefined;
      },
      10_000,
      200,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: files created, gone from disk and deleted per the log: ${JSON.stringify(seen)}`);
    });

    const events = await allEvents();
    // One outage, in order: seq increases with `at` through the whole log.
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    for (let i = 1; i < events.length; i++) expect(Date.parse(events[i]!.at)).toBeGreaterThanOrEqual(Date.parse(events[i - 1]!.at));
    const unavailable = events.filter((e) => e.type === 'database.unavailable');
    const available = events.filter((e) => e.type === 'database.available');
    expect(unavailable).toHaveLength(1);
    expect(available).toHaveLength(1);
    const [start, end] = [unavailable[0]!, available[0]!];
    const cleanups = events.filter((e) => e.type === 'cleanup.completed');
    const ofOutage = cleanups.filter((e) => e.seq > start.seq && e.seq < end.seq);
    // Every cleanup made while PostgreSQL was away is between the two, and none outside them is of that time.
    expect(ofOutage.length).toBeGreaterThan(5);
    expect(cleanups.filter((e) => e.at >= start.at && e.at < end.at && (e.seq < start.seq || e.seq > end.seq))).toEqual([]);
    expect(filesOf(ofOutage)).toBeGreaterThanOrEqual(deletedMeanwhile - OVERSHOOT / FILE_BYTES);
    expect(end.payload).toMatchObject({ dropped: 0 });
    expect(Number(end.payload.unavailable_seconds)).toBeGreaterThanOrEqual(OUTAGE_MS / 1000 - 2);
    // No run recorded twice.
    const runs = cleanups.map((e) => e.payload.run).filter((run) => run !== undefined);
    expect(new Set(runs).size).toBe(runs.length);
    // The service's own account of its runs agrees, run by run (its log line for each one that deleted).
    const lines = [...service.output().matchAll(/Cleanup of cam:\/rec \(\w+\): (\d+) files/g)].map((m) => Number(m[1]));
    expect(lines.reduce((a, b) => a + b, 0)).toBe(deleted);
    expect(cleanups.filter((e) => Number(e.payload.files) > 0 && e.payload.dry_run === false)).toHaveLength(lines.length);

    // The deletion records, read from the database itself: one row per deleted file, each path once.
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const rows = await client.query<{ n: string; paths: string }>('SELECT count(*) AS n, count(DISTINCT path) AS paths FROM deletions');
      expect(rows.rows[0]).toEqual({ n: String(deleted), paths: String(deleted) });
    } finally {
      await client.end();
    }
    expect(service.output()).not.toMatch(/Unhandled|uncaught|Cannot read the manager's disk/i);

    const figures = {
      outage_s: Math.round((resumedAt - haltedAt) / 100) / 10,
      unavailable_seconds: end.payload.unavailable_seconds,
      spooled_at_end_of_outage: spooled,
      spooled_reported: end.payload.spooled,
      cleanups_during_outage: ofOutage.length,
      files_deleted_during_outage: filesOf(ofOutage),
      back_to_200_ms: flushMs,
      files_created: writer.created,
      files_deleted: deleted,
      max_bytes_seen: Math.max(...samples.map((s) => s.bytes)),
      cap: CAP,
    };
    writeFileSync(path.join(process.env.SM_TEST_RESULTS_DIR ?? dir, 'database-outage.json'), `${JSON.stringify(figures)}\n`);
    process.stdout.write(`database outage figures: ${JSON.stringify(figures)}\n`);
  } finally {
    await writer.stop();
    if (!postgres.running) postgres.resume();
  }
}, 150_000);
