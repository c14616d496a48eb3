import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventRecord } from '../src/event-log/event.types.js';
import { SchedulerService } from '../src/scheduler/scheduler.service.js';
import { EventBus } from '../src/common/event-bus.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { writeAgedFile } from './support/aged-file.js';
import { rawRequest, type RawResponse } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Register through the API, write files, see the policy enforced by the real service on a real filesystem. */

let app: TestApp;
let volume: string;
let seen: EventRecord[];
let waiters: Array<{ test: (e: EventRecord) => boolean; resolve: (e: EventRecord) => void }>;

beforeEach(async () => {
  app = await startTestApp();
  volume = path.join(app.volumesDir, 'cam');
  mkdirSync(path.join(volume, 'rec'), { recursive: true });
  seen = [];
  waiters = [];
  app.running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => {
    seen.push(...events);
    for (const event of events) {
      for (const waiter of [...waiters]) {
        if (waiter.test(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
});

afterEach(async () => {
  await app.close();
});

/** Resolves with the first committed event (from now on, or already seen when `includeSeen`) matching. */
function nextEvent<E extends EventRecord>(test: (e: EventRecord) => e is E, includeSeen?: boolean): Promise<E>;
function nextEvent(test: (e: EventRecord) => boolean, includeSeen?: boolean): Promise<EventRecord>;
function nextEvent(test: (e: EventRecord) => boolean, includeSeen = false): Promise<EventRecord> {
  const already = includeSeen ? seen.find(test) : undefined;
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const waiter = { test, resolve };
    waiters.push(waiter);
    setTimeout(() => {
      if (!waiters.includes(waiter)) return;
      waiters.splice(waiters.indexOf(waiter), 1);
      reject(new Error(`expected event not committed within 10 s; seen: ${seen.map((e) => `${e.type}${JSON.stringify(e.payload).slice(0, 120)}`).join(' | ')}`));
    }, 10_000).unref();
  });
}

const cleanupOf = (trigger?: string) => (e: EventRecord): e is EventRecord<'cleanup.completed'> =>
  e.type === 'cleanup.completed' && (trigger === undefined || e.payload.trigger === trigger) && e.payload.files > 0;
const dryRunCleanup = (e: EventRecord): e is EventRecord<'cleanup.completed'> => e.type === 'cleanup.completed' && e.payload.dry_run;

const writeAged = (relative: string, bytes: number, ageSeconds: number): void => writeAgedFile(volume, relative, bytes, ageSeconds);

function register(body: Record<string, unknown>): Promise<RawResponse> {
  return rawRequest(app.url, 'POST', '/api/register', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ volume_name: 'cam', path: '/rec', ...body }),
  });
}

function post(url: string, body: unknown): Promise<RawResponse> {
  return rawRequest(app.url, 'POST', url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const filesIn = (dir: string): string[] => readdirSync(path.join(volume, dir)).sort();

describe('policy enforcement end to end', () => {
  // How fast a crossing is answered (SPEC §6: back under cap within 1 s) is benchmark B4's figure (p50/p99 over 200
  // crossings of the real service), not asserted here: one wall-clock sample on two loaded cores proves little.
  it('brings a target under its cap at registration, then again at each crossing', async () => {
    for (let i = 0; i < 10; i++) writeAged(`rec/c${i}.mp4`, 1000, 1000 - i * 10); // c0 oldest
    const first = nextEvent(cleanupOf('threshold'));
    expect((await register({ algorithm: 'max_size', params: { max_bytes: 5000, min_age_seconds: 0 } })).status).toBe(201);
    const event = await first;
    expect(event.payload.first_paths).toEqual(['c0.mp4', 'c1.mp4', 'c2.mp4', 'c3.mp4', 'c4.mp4']);
    expect(filesIn('rec')).toEqual(['c5.mp4', 'c6.mp4', 'c7.mp4', 'c8.mp4', 'c9.mp4']);

    // Whichever run sees the crossing first (the threshold trigger, or the post-scan run queued behind it).
    const crossing = nextEvent((e): e is EventRecord<'cleanup.completed'> => cleanupOf()(e) && e.payload.first_paths.includes('c5.mp4'));
    writeAged('rec/c10.mp4', 1500, 0);
    const second = await crossing;
    expect(second.payload.first_paths).toEqual(['c5.mp4', 'c6.mp4']);
    expect(filesIn('rec')).toEqual(['c10.mp4', 'c7.mp4', 'c8.mp4', 'c9.mp4']);

    const volumes = (await rawRequest(app.url, 'GET', '/api/volumes?name=cam')).json as Array<{ registrations: Array<Record<string, unknown>> }>;
    expect(volumes[0]!.registrations[0]).toMatchObject({ path_bytes: 4500, files_removed_last_run: 2, last_cleaned: expect.any(String) });
  });

  it('previews without deleting, and runs on demand', async () => {
    for (let i = 0; i < 6; i++) writeAged(`rec/s${i}.jpg`, 10, 600 - i);
    const created = await register({ algorithm: 'keep_n_latest', params: { keep_count: 2, dry_run: true } });
    const id = (created.json as { id: string }).id;
    await nextEvent(dryRunCleanup, true);
    const preview = await rawRequest(app.url, 'GET', `/api/registrations/${id}/preview`);
    expect(preview.json).toMatchObject({ files: 4, bytes: 40, paths: ['s0.jpg', 's1.jpg', 's2.jpg', 's3.jpg'] });
    expect(filesIn('rec')).toHaveLength(6); // dry_run registrations never delete

    await register({ algorithm: 'keep_n_latest', params: { keep_count: 2 } });
    const manual = await post('/api/cleanup', { volume_name: 'cam', path: '/rec' });
    expect(manual.status).toBe(200);
    const totals = (manual.json as { totals: { files: number } }).totals;
    // The threshold trigger may have won the race: between the two, all four went.
    expect(filesIn('rec')).toEqual(['s4.jpg', 's5.jpg']);
    expect(totals.files).toBeLessThanOrEqual(4);
    expect((await post('/api/cleanup', { path: '/rec' })).status).toBe(400);
    expect((await post('/api/cleanup', { volume_name: 'cam', path: '/nope' })).status).toBe(400);
  });

  it('only plans in maintenance mode until a manual run', async () => {
    expect((await post('/api/maintenance', { enabled: true, reason: 'migrating' })).status).toBe(200);
    for (let i = 0; i < 4; i++) writeAged(`rec/m${i}`, 100, 100 - i);
    const dry = nextEvent(dryRunCleanup);
    await register({ algorithm: 'max_size', params: { max_bytes: 200, min_age_seconds: 0 } });
    expect((await dry).payload.files).toBe(2);
    expect(filesIn('rec')).toHaveLength(4);
    const manual = await post('/api/cleanup', {});
    expect((manual.json as { totals: { files: number } }).totals.files).toBe(2);
    expect(filesIn('rec')).toEqual(['m2', 'm3']);
  });

  it('reports a target whose cap cannot be met as blocked', async () => {
    writeAged('rec/keep.db', 5000, 1000);
    writeAged('rec/old.log', 100, 1000);
    const blocked = nextEvent((e) => e.type === 'target.blocked', true);
    await register({ algorithm: 'max_size', params: { max_bytes: 1000, min_age_seconds: 0, exclude: '*.db' } });
    expect((await blocked).payload).toMatchObject({ unit: 'bytes', over_by: 4000 });
    expect(filesIn('rec')).toEqual(['keep.db']);
    const health = (await rawRequest(app.url, 'GET', '/api/health')).json as { problems: string[]; blocked: unknown[]; measuring: unknown[] };
    expect(health.blocked).toEqual([expect.objectContaining({ target: 'cam:/rec' })]);
    expect(health.measuring).toEqual([expect.objectContaining({ files: 1, bytes: 5000, watching: true, scanning: null, last_scan: expect.any(String) })]);
    expect(health.problems).toContain('1 target(s) blocked over their cap');
  });

  it('deletes at the instant the oldest file expires', async () => {
    writeAged('rec/old.log', 10, 0.2);
    writeAged('rec/new.log', 10, -3600); // modified "in the future": never expires during the test
    const expiry = nextEvent(cleanupOf('expiry'));
    const registered = performance.now();
    await register({ algorithm: 'remove_before_date', params: { max_age_days: 1.2 / 86400, min_age_seconds: 0 } });
    const event = await expiry;
    const waitedMs = performance.now() - registered;
    expect(event.payload.first_paths).toEqual(['old.log']);
    expect(waitedMs).toBeGreaterThan(700); // not before it expired (1 s after writing)
    // Run by the expiry timer (the trigger says so), long before any sweep; the exact instant is pinned by
    // trigger.service.spec on fake timers. The bound leaves 5 s for a timer and a commit on two loaded cores.
    expect(waitedMs).toBeLessThan(6000);
    expect(filesIn('rec')).toEqual(['new.log']);
  });

  it('quarantines a target whose root was replaced, and releases it on request', async () => {
    writeAged('rec/a', 10, 1000);
    const created = await register({ algorithm: 'keep_n_latest', params: { keep_count: 5 } });
    const id = (created.json as { id: string }).id;
    await nextEvent((e) => e.type === 'usage.sampled' || e.type === 'cleanup.completed', true);
    renameSync(path.join(volume, 'rec'), path.join(volume, 'rec-old'));
    mkdirSync(path.join(volume, 'rec'));
    const quarantined = nextEvent((e) => e.type === 'quarantine.entered');
    await app.running.app.get(SchedulerService).runNow('sweep'); // the sweep's rescan notices the new root
    expect((await quarantined).payload.reason).toMatch(/replaced/);
    const report = await post('/api/cleanup', { volume_name: 'cam', path: '/rec' });
    expect((report.json as { targets: Array<{ status: string }> }).targets[0]!.status).toBe('skipped');
    const released = await rawRequest(app.url, 'POST', `/api/registrations/${id}/unquarantine`);
    expect((released.json as { quarantine: unknown }).quarantine).toBeNull();
    expect(existsSync(path.join(volume, 'rec-old', 'a'))).toBe(true);
  });
});
