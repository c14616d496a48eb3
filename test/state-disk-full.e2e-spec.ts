import { closeSync, mkdirSync, openSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from './support/eventually.js';
import { findCount } from './support/find-count.js';
import { rawRequest } from './support/raw-http.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * The manager's disk full for real (SPEC §8): its data directory and a managed volume share one 32 MiB tmpfs,
 * filled to the last block by a ballast file. A registration gets 507 naming the directory, health answers 503,
 * and a writer keeps pushing the volume over its cap while cleanup keeps it under. When space returns, every
 * cleanup of the full period is in the log — in order, once — and accounts for every file the writer made.
 * Always on SQLite: the point is the database file on the full disk.
 */

const MiB = 1024 * 1024;
const SEGMENT = 128 * 1024;
const MAX_BYTES = 2 * MiB;

let fs: ReturnType<typeof mountTmpfs>;
let service: ServiceProcess | undefined;

beforeAll(() => {
  fs = mountTmpfs('state-disk-full', 32 * MiB, 8192);
});

afterAll(async () => {
  if (service && process.env.SM_TEST_LOG_LEVEL === 'DEBUG') process.stdout.write(service.output());
  if (service && service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGKILL');
    await service.exited;
  }
  fs.unmount();
});

const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Appends zeros to `file` until only `leave` bytes are left on its filesystem. */
function fillLeaving(file: string, leave: number): void {
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      const s = statfsSync(file);
      const room = s.bavail * s.bsize - leave;
      if (room <= 0) return;
      writeSync(fd, chunk, 0, Math.min(chunk.length, room));
    }
  } finally {
    closeSync(fd);
  }
}

interface Health {
  status: string;
  problems: string[];
  state_disk: { full: boolean; reserve_bytes: number; path: string };
}

interface LoggedEvent {
  seq: number;
  at: string;
  type: string;
  payload: { files?: number; bytes?: number; dry_run?: boolean; run?: string };
}

describe("a full manager's disk", () => {
  it('refuses writes with 507, reports 503, keeps cleaning, and records every cleanup of the full period once', async () => {
    const data = path.join(fs.mount, 'data');
    const rec = path.join(fs.mount, 'volumes', 'cam', 'rec');
    mkdirSync(rec, { recursive: true });
    service = spawnService(
      {
        SM_API_HOST: '127.0.0.1',
        SM_API_PORT: '0',
        SM_VOLUMES_DIR: path.join(fs.mount, 'volumes'),
        SM_DATA_DIR: data,
        SM_DB_PATH: path.join(data, 'storage_manager.db'),
        SM_STATE_RESERVE_MB: '4',
        SM_CHECK_INTERVAL_SECONDS: '3600',
        SM_MONITOR_INTERVAL_SECONDS: '1',
      },
      fs.mount,
    );
    const url = await service.ready;
    expect((await rawRequest(url, 'POST', '/api/register', json({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: MAX_BYTES, min_age_seconds: 0 } }))).status).toBe(201);
    const health0 = (await rawRequest(url, 'GET', '/api/health')).json as Health;
    expect(health0.state_disk).toMatchObject({ full: false, reserve_bytes: 4 * MiB, path: data });
    const start = ((await rawRequest(url, 'GET', '/api/events?limit=1')).json as { next_since: number }).next_since;

    // The volume sits at its cap; a segment more is a crossing.
    let made = 0;
    let bytesMade = 0;
    const writeSegment = (): void => {
      const file = path.join(rec, `seg-${String(made).padStart(6, '0')}.bin`);
      try {
        writeFileSync(file, Buffer.alloc(SEGMENT, 1));
      } finally {
        // A write cut short by the full disk leaves what it wrote, as an application's would.
        made++;
        bytesMade += statSync(file).size;
      }
    };
    while (bytesMade < MAX_BYTES) writeSegment();

    // The disk fills (half a MiB left): the manager gives its reserve back and says so.
    const ballast = path.join(fs.mount, 'ballast');
    fillLeaving(ballast, MiB / 2);
    const full = await eventually('health reports the full disk', async () => {
      const answer = await rawRequest(url, 'GET', '/api/health');
      return answer.status === 503 && (answer.json as Health).state_disk.full ? (answer.json as Health) : undefined;
    }, 15_000, 100);
    expect(full.problems.join('\n')).toContain(`own disk is full: ${data}`);
    const refused = await rawRequest(url, 'POST', '/api/register', json({ volume_name: 'cam', path: '/other', algorithm: 'max_size', params: { max_bytes: MAX_BYTES } }));
    expect(refused.status).toBe(507);
    expect(refused.json).toMatchObject({ error: 'insufficient_storage' });
    expect((refused.json as { message: string }).message).toContain(`disk is full: ${data}`);
    // The ballast takes the released reserve too: from here on the volume's segments and the log (its WAL grows
    // with every commit until a checkpoint) share 2 MiB, and the disk stays full for the manager (under the reserve).
    fillLeaving(ballast, 2 * MiB);

    // A writer keeps pushing the volume over its cap; cleanup must keep making room.
    const before = made;
    let refusedWrites = 0;
    const until = performance.now() + 8_000;
    while (performance.now() < until) {
      try {
        writeSegment();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        refusedWrites++;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
    }
    expect(made - before).toBeGreaterThan((2 * MAX_BYTES) / SEGMENT);
    // Cleanup kept up: at the end the volume is within its cap (it may be one segment over, being cleaned).
    await eventually('the volume back under its cap', () => (findCount(rec, { live: true }).bytes <= MAX_BYTES ? true : undefined), 10_000, 50);

    // Space returns: the reserve comes back, the health and the requests with it.
    rmSync(ballast);
    await eventually('health ok again with the reserve re-created', async () => {
      const answer = await rawRequest(url, 'GET', '/api/health');
      const body = answer.json as Health;
      return answer.status === 200 && !body.state_disk.full && body.state_disk.reserve_bytes === 4 * MiB ? true : undefined;
    }, 20_000, 100);
    expect((await rawRequest(url, 'POST', '/api/register', json({ volume_name: 'cam', path: '/other', algorithm: 'max_size', params: { max_bytes: MAX_BYTES } }))).status).toBe(201);

    // Every cleanup of the full period is in the log, in order, once, and they account for every segment gone.
    const left = findCount(rec);
    const events = await eventually('the spooled cleanups written', async () => {
      const page = (await rawRequest(url, 'GET', `/api/events?since=${start}&limit=1000`)).json as { events: LoggedEvent[] };
      const cleanups = page.events.filter((e) => e.type === 'cleanup.completed' && e.payload.dry_run !== true);
      const files = cleanups.reduce((n, e) => n + (e.payload.files ?? 0), 0);
      return files === made - left.files ? page.events : undefined;
    }, 20_000, 100);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const instants = events.map((e) => Date.parse(e.at));
    expect(instants).toEqual([...instants].sort((a, b) => a - b));
    const runs = events.flatMap((e) => (e.payload.run ? [e.payload.run] : []));
    expect(new Set(runs).size).toBe(runs.length);
    const cleanups = events.filter((e) => e.type === 'cleanup.completed');
    expect(cleanups.reduce((n, e) => n + (e.payload.bytes ?? 0), 0)).toBe(bytesMade - left.bytes);
    expect(events.filter((e) => e.type === 'state.disk_full')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'state.disk_recovered')).toHaveLength(1);
    process.stdout.write(`full disk: ${made} segments written (${refusedWrites} refused by the full disk), ${cleanups.length} cleanups recorded\n`);
  }, 120_000);
});
