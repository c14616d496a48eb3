import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readIntent } from '../src/adapters/filesystem/intent-journal.adapter.js';
import { eventually } from './support/eventually.js';
import { findCount } from './support/find-count.js';
import { seededRandom } from './support/random.mjs';
import { rawRequest } from './support/raw-http.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * Every deletion is on the record across a crash (SPEC §8): the real service is SIGKILLed at seeded random
 * moments inside cleanups of 12,000 files (after its k-th batch of 1,000 was written to the run's intent, plus a
 * few milliseconds), restarted, and the log must account for every file that is gone — files and bytes equal
 * to an independent `find` before and after — and a sampled deleted path must be found by the path query.
 */

const KILLS = Number(process.env.SM_DELETION_CRASH_KILLS ?? 20);
const SEED = Number(process.env.SM_DELETION_CRASH_SEED ?? 20261201);
const FILES = 12_000;
const FILE_BYTES = 100;
/** The cap keeps 10 files. */
const MAX_BYTES = 10 * FILE_BYTES;

let fs: ReturnType<typeof mountTmpfs>;
let dir: string;
let rec: string;
let intents: string;
let db: TestDatabase;
let current: ServiceProcess | undefined;

beforeAll(async () => {
  // On a tmpfs: creating 12,000 files a round on a busy disk would take most of the test's time.
  fs = mountTmpfs('deletion-crash', 256 * 1024 * 1024, 65_536);
  dir = fs.mount;
  rec = path.join(dir, 'volumes', 'cam', 'rec');
  mkdirSync(rec, { recursive: true });
  intents = path.join(dir, 'data', 'intents');
  db = await createTestDatabase(path.join(dir, 'data'));
});

afterAll(async () => {
  await stop('SIGKILL');
  await db.drop();
  fs.unmount();
});

async function stop(signal: NodeJS.Signals): Promise<void> {
  const service = current;
  current = undefined;
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill(signal);
  await service.exited;
}

/** Relative paths of the regular files under the target, as `find` lists them. */
function listFiles(): Set<string> {
  const out = execFileSync('find', [rec, '-type', 'f', '-printf', '%P\n'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return new Set(out.split('\n').filter((line) => line !== ''));
}

/** The intent files there are (open runs', or left by a crash). */
function intentFiles(): string[] {
  return existsSync(intents) ? readdirSync(intents).filter((n) => n.endsWith('.intent')) : [];
}

/**
 * Lines in the one open intent file (header + planned files), 0 when there is none yet — or while the file is a room
 * just renamed for the run, still holding an earlier run's lines.
 */
function intentLines(): number {
  const names = intentFiles();
  if (names.length === 0) return 0;
  try {
    // Intents are written into preallocated rooms that still hold earlier runs' lines: read as the service does.
    const intent = readIntent(path.join(intents, names[0]!));
    return intent ? 1 + intent.files.length : 0;
  } catch {
    return 0; // closed meanwhile
  }
}

/** Resolves once the open intent holds `lines` lines, or the run ended (no intent) after one was seen. */
async function intentReaches(lines: number, service: ServiceProcess): Promise<boolean> {
  let seen = false;
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`service exited:\n${service.output()}`);
    if (performance.now() > deadline) throw new Error(`no intent of ${lines} lines within 60 s:\n${service.output()}`);
    const now = intentLines();
    if (now >= lines) return true;
    if (now > 0) seen = true;
    else if (seen) return false;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

interface CleanupEvent {
  seq: number;
  at: string;
  type: string;
  payload: { files: number; bytes: number; dry_run?: boolean; run?: string };
}

describe('deletion records across crashes', () => {
  it(`accounts for every deleted file across ${KILLS} SIGKILLs inside large cleanups`, async () => {
    const random = seededRandom(SEED);
    const env = {
      SM_API_HOST: '127.0.0.1',
      SM_API_PORT: '0',
      SM_VOLUMES_DIR: path.join(dir, 'volumes'),
      SM_DATA_DIR: path.join(dir, 'data'),
      SM_CHECK_INTERVAL_SECONDS: '3600',
      // Two intent rooms of 1 MiB (an eighth of the reserve each), reused round after round.
      SM_STATE_RESERVE_MB: '8',
      ...db.env,
    };
    current = spawnService(env, dir);
    let url = await current.ready;
    const registered = await rawRequest(url, 'POST', '/api/register', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: MAX_BYTES, min_age_seconds: 0 } }),
    });
    expect(registered.status).toBe(201);
    let since = ((await rawRequest(url, 'GET', '/api/events?limit=1')).json as { next_since: number }).next_since;
    await stop('SIGTERM');

    const problems: string[] = [];
    let interrupted = 0;
    for (let round = 0; round < KILLS; round++) {
      const t0 = performance.now();
      const phases: string[] = [];
      const phase = (name: string): void => void phases.push(`${name} ${Math.round(performance.now() - t0)}`);
      // The service is down: the target gets 12,000 files (a whole batch per directory).
      for (let d = 0; d < FILES / 1000; d++) {
        const sub = path.join(rec, `r${round}`, `d${d}`);
        mkdirSync(sub, { recursive: true });
        for (let i = 0; i < 1000; i++) writeFileSync(path.join(sub, `f${i}.bin`), Buffer.alloc(FILE_BYTES + (i % 7)));
      }
      const before = findCount(rec);
      const beforeList = listFiles();
      const batch = 1 + Math.floor(random() * 10);
      const delayMs = Math.floor(random() * 8);

      phase('filled');
      const service = spawnService(env, dir);
      current = service;
      const inside = await intentReaches(1 + batch * 1000, service);
      if (inside) await new Promise<void>((resolve) => setTimeout(resolve, delayMs));
      service.child.kill('SIGKILL');
      await service.exited;
      current = undefined;

      // Restarted: the open intent is reconciled, then the start-up sweep finishes the job.
      phase('killed');
      current = spawnService(env, dir);
      url = await current.ready;
      phase('restarted');
      await eventually(`round ${round}: the target back under its cap, no intent left`, () =>
        findCount(rec, { live: true }).bytes <= MAX_BYTES && intentFiles().length === 0 ? true : undefined,
      60_000, 50);
      const events = await eventually(`round ${round}: the runs on record`, async () => {
        const page = (await rawRequest(url, 'GET', `/api/events?type=cleanup.completed,cleanup.interrupted&since=${since}&limit=1000`)).json as { events: CleanupEvent[] };
        const recorded = page.events.filter((e) => e.payload.dry_run !== true);
        const files = recorded.reduce((n, e) => n + e.payload.files, 0);
        return files >= before.files - findCount(rec, { live: true }).files ? recorded : undefined;
      }, 30_000, 50);
      phase('settled');
      const after = findCount(rec);
      const afterList = listFiles();
      const loggedFiles = events.reduce((n, e) => n + e.payload.files, 0);
      const loggedBytes = events.reduce((n, e) => n + e.payload.bytes, 0);
      if (events.some((e) => e.type === 'cleanup.interrupted')) interrupted++;
      phase(`interrupted runs so far ${interrupted}`);
      if (loggedFiles !== before.files - after.files) problems.push(`round ${round}: log says ${loggedFiles} files deleted, find says ${before.files - after.files}`);
      if (loggedBytes !== before.bytes - after.bytes) problems.push(`round ${round}: log says ${loggedBytes} bytes freed, find says ${before.bytes - after.bytes}`);
      const runs = events.map((e) => e.payload.run).filter((r) => r !== undefined);
      if (new Set(runs).size !== runs.length) problems.push(`round ${round}: a run recorded twice`);

      // A sampled deleted path is found by the path query, with the rule and trigger that deleted it.
      const gone = [...beforeList].filter((p) => !afterList.has(p));
      const sample = gone[Math.floor(random() * gone.length)]!;
      const query = (await rawRequest(url, 'GET', `/api/events?path=${encodeURIComponent(`/rec/${sample}`)}&volume_name=cam`)).json as {
        deletions: Array<{ path: string; algorithm: string | null; trigger: string | null; type: string }>;
        events: CleanupEvent[];
      };
      if (query.deletions.length !== 1 || query.deletions[0]!.algorithm !== 'max_size' || query.deletions[0]!.trigger === null || query.events.length !== 1) {
        problems.push(`round ${round}: path query for /rec/${sample} answered ${JSON.stringify(query.deletions)}`);
      }
      since = events.reduce((seq, e) => Math.max(seq, e.seq), since);
      await stop('SIGTERM');
      // Only the files of this round may go: the next round starts from an emptied tree.
      rmSync(path.join(rec, `r${round}`), { recursive: true, force: true });
      phase('stopped');
      if (process.env.SM_TEST_LOG_LEVEL === 'DEBUG') process.stdout.write(`round ${round}: ${phases.join(', ')}\n`);
      const leftover = findCount(rec);
      if (leftover.files !== 0) problems.push(`round ${round}: ${leftover.files} files of earlier rounds left`);
    }
    expect(problems).toEqual([]);
    // The kills landed inside the deletions, not after them (a kill that came after a run's end proves nothing).
    expect(interrupted).toBeGreaterThanOrEqual(Math.ceil(KILLS * 0.75));
    // The intents went into the two preallocated rooms and back (or were replaced after a crash): no intent left.
    expect(readdirSync(intents).sort()).toEqual([expect.stringMatching(/\.room$/), expect.stringMatching(/\.room$/)]);
  }, 600_000);
});
