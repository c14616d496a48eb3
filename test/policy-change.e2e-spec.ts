import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CleanupService } from '../src/cleanup/cleanup.service.js';
import { SWEEP_JOB } from '../src/cleanup/trigger.service.js';
import type { EventRecord } from '../src/event-log/event.types.js';
import { MeasuringService } from '../src/measuring/measuring.service.js';
import { SchedulerService } from '../src/scheduler/scheduler.service.js';
import { nextCommitted } from './support/committed.js';
import { writeAgedFile } from './support/aged-file.js';
import { rawRequest, type RawResponse } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A change that makes a policy want to act runs it at once (trigger `change`), on the real service and a real
 * directory: the files are gone soon after the request is acknowledged, long before any sweep (one an hour
 * here) or write could have done it, and the log says which trigger did it.
 */

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Generous for two loaded cores; the SPEC's goal is 1 s, timed by the benchmarks, and each figure is logged below. */
const REACTION_BOUND_MS = 5000;

let app: TestApp;
let volume: string;
const reactions: Array<{ scenario: string; ms: number }> = [];

beforeEach(async () => {
  app = await startTestApp({ SM_CHECK_INTERVAL_SECONDS: String(HOUR) });
  volume = path.join(app.volumesDir, 'cam');
  mkdirSync(path.join(volume, 'rec'), { recursive: true });
});

afterEach(async () => {
  await app.close();
});

afterAll(() => {
  // Shown with SM_TEST_LOG_LEVEL=DEBUG: request sent → cleanup.completed committed, per scenario.
  new Logger('PolicyChangeSpec').log(`Reaction times: ${reactions.map((r) => `${r.scenario} ${r.ms.toFixed(1)} ms`).join(', ')}`);
});

const writeAged = (relative: string, bytes: number, ageSeconds: number): void => writeAgedFile(volume, relative, bytes, ageSeconds);

const filesIn = (dir: string): string[] => readdirSync(path.join(volume, dir)).sort();

function send(method: string, url: string, body?: unknown): Promise<RawResponse> {
  return rawRequest(app.url, method, url, body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function register(target: string, algorithm: string, params: Record<string, unknown>): Promise<RawResponse> {
  return send('POST', '/api/register', { volume_name: 'cam', path: target, algorithm, params });
}

/** Registers a target and waits until it is measured and its first runs are over: from then on it is quiet. */
async function registered(target: string, algorithm: string, params: Record<string, unknown>): Promise<string> {
  const response = await register(target, algorithm, params);
  expect(response.status).toBe(201);
  const id = (response.json as { id: string }).id;
  await app.running.app.get(MeasuringService).ready(id);
  await app.running.app.get(CleanupService).drain();
  return id;
}

const changeCleanup = (target: string) => (e: EventRecord): e is EventRecord<'cleanup.completed'> =>
  e.type === 'cleanup.completed' && e.target === `cam:${target}` && e.payload.trigger === 'change' && !e.payload.dry_run;

/**
 * Sends the change and resolves with the `change` cleanup of `target` it caused, once the request was answered
 * with `status`; records how long it took from sending the request to the cleanup's commit.
 */
async function changeAndCleanup(scenario: string, target: string, change: () => Promise<RawResponse>, status = 200): Promise<EventRecord<'cleanup.completed'>> {
  const sent = performance.now();
  const cleaned = nextCommitted(app, changeCleanup(target), 10_000, () => scenario).then((event) => ({ event, at: performance.now() }));
  const response = await change();
  expect(response.status).toBe(status);
  const { event, at } = await cleaned;
  reactions.push({ scenario, ms: at - sent });
  expect(at - sent).toBeLessThan(REACTION_BOUND_MS);
  return event;
}

/** The log, as the API reads it back, holds the run with its trigger. */
async function expectLogged(target: string, firstPaths: string[]): Promise<void> {
  const page = (await send('GET', `/api/events?type=cleanup.completed&target=${encodeURIComponent(`cam:${target}`)}&limit=50`)).json as {
    events: Array<EventRecord<'cleanup.completed'>>;
  };
  expect(page.events.filter((e) => e.payload.trigger === 'change').map((e) => e.payload.first_paths)).toContainEqual(firstPaths);
}

describe('a change that makes a policy want to act runs it at once', () => {
  it('a lowered max_bytes the target already exceeds', async () => {
    for (let i = 0; i < 6; i++) writeAged(`rec/c${i}.mp4`, 1000, 600 - i * 10); // c0 oldest
    await registered('/rec', 'max_size', { max_bytes: 10_000 });
    expect(filesIn('rec')).toHaveLength(6);

    const event = await changeAndCleanup('max_bytes', '/rec', () => register('/rec', 'max_size', { max_bytes: 2500 }));

    expect(event.payload.first_paths).toEqual(['c0.mp4', 'c1.mp4', 'c2.mp4', 'c3.mp4']);
    expect(filesIn('rec')).toEqual(['c4.mp4', 'c5.mp4']);
    await expectLogged('/rec', ['c0.mp4', 'c1.mp4', 'c2.mp4', 'c3.mp4']);
  });

  it('a smaller keep_count', async () => {
    for (let i = 0; i < 5; i++) writeAged(`rec/s${i}.jpg`, 10, 600 - i);
    await registered('/rec', 'keep_n_latest', { keep_count: 5 });

    const event = await changeAndCleanup('keep_count', '/rec', () => register('/rec', 'keep_n_latest', { keep_count: 2 }));

    expect(event.payload.first_paths).toEqual(['s0.jpg', 's1.jpg', 's2.jpg']);
    expect(filesIn('rec')).toEqual(['s3.jpg', 's4.jpg']);
    await expectLogged('/rec', ['s0.jpg', 's1.jpg', 's2.jpg']);
  });

  it('a shorter max_age_days, then a later before_date', async () => {
    writeAged('rec/week.log', 10, 7 * DAY);
    writeAged('rec/three-days.log', 10, 3 * DAY);
    writeAged('rec/hour.log', 10, HOUR);
    writeAged('rec/minutes.log', 10, 600);
    await registered('/rec', 'remove_before_date', { max_age_days: 10 });

    const shorter = await changeAndCleanup('max_age_days', '/rec', () => register('/rec', 'remove_before_date', { max_age_days: 2 }));
    expect(shorter.payload.first_paths).toEqual(['week.log', 'three-days.log']);
    expect(filesIn('rec')).toEqual(['hour.log', 'minutes.log']);

    const halfAnHourAgo = new Date(Date.now() - 1800_000).toISOString();
    const later = await changeAndCleanup('before_date', '/rec', () => register('/rec', 'remove_before_date', { before_date: halfAnHourAgo }));
    expect(later.payload.first_paths).toEqual(['hour.log']);
    expect(filesIn('rec')).toEqual(['minutes.log']);
    await expectLogged('/rec', ['hour.log']);
  });

  it('an imported configuration that lowers a cap', async () => {
    for (let i = 0; i < 4; i++) writeAged(`rec/c${i}.mp4`, 1000, 600 - i * 10);
    await registered('/rec', 'max_size', { max_bytes: 10_000 });
    const exported = (await send('GET', '/api/registrations/export')).json as { registrations: Array<Record<string, unknown>> };
    const edited = exported.registrations.map(({ volume_name, path: target, algorithm, description }) => ({
      volume_name, path: target, algorithm, description, params: { max_bytes: 1000 },
    }));

    const event = await changeAndCleanup('import', '/rec', () => send('POST', '/api/registrations/import?mode=merge', { version: 1, registrations: edited }));

    expect(event.payload.first_paths).toEqual(['c0.mp4', 'c1.mp4', 'c2.mp4']);
    expect(filesIn('rec')).toEqual(['c3.mp4']);
    await expectLogged('/rec', ['c0.mp4', 'c1.mp4', 'c2.mp4']);
  });

  it('maintenance mode turned off: every active target runs what it only planned meanwhile', async () => {
    expect((await send('POST', '/api/maintenance', { enabled: true, reason: 'backup' })).status).toBe(200);
    for (let i = 0; i < 4; i++) writeAged(`rec/m${i}`, 100, 600 - i);
    for (let i = 0; i < 3; i++) writeAged(`snap/k${i}`, 10, 600 - i);
    await registered('/rec', 'max_size', { max_bytes: 200 });
    await registered('/snap', 'keep_n_latest', { keep_count: 1 });
    expect([filesIn('rec'), filesIn('snap')]).toEqual([['m0', 'm1', 'm2', 'm3'], ['k0', 'k1', 'k2']]); // dry runs only

    const snap = nextCommitted(app, changeCleanup('/snap'), 10_000, () => 'maintenance off, /snap');
    const rec = await changeAndCleanup('maintenance off', '/rec', () => send('POST', '/api/maintenance', { enabled: false }));
    await snap;

    expect(rec.payload.first_paths).toEqual(['m0', 'm1']);
    expect([filesIn('rec'), filesIn('snap')]).toEqual([['m2', 'm3'], ['k2']]);
    await expectLogged('/snap', ['k0', 'k1']);
  });

  it('a target released from quarantine, measured afresh in its new root', async () => {
    writeAged('rec/a', 1000, 1000);
    const id = await registered('/rec', 'max_size', { max_bytes: 2000 });
    renameSync(path.join(volume, 'rec'), path.join(volume, 'rec-old'));
    mkdirSync(path.join(volume, 'rec'));
    const quarantined = nextCommitted(app, (e): e is EventRecord<'quarantine.entered'> => e.type === 'quarantine.entered');
    await app.running.app.get(SchedulerService).runNow(SWEEP_JOB); // its rescan notices the new root
    expect((await quarantined).payload.reason).toMatch(/replaced/);
    // Over the cap while quarantined: nothing may go until the release.
    for (let i = 0; i < 4; i++) writeAged(`rec/n${i}`, 1000, 600 - i);
    expect(((await send('GET', `/api/registrations/${id}`)).json as { quarantine: unknown }).quarantine).not.toBeNull();

    const event = await changeAndCleanup('unquarantine', '/rec', () => send('POST', `/api/registrations/${id}/unquarantine`));

    expect(event.payload.first_paths).toEqual(['n0', 'n1']);
    expect(filesIn('rec')).toEqual(['n2', 'n3']);
    expect(existsSync(path.join(volume, 'rec-old', 'a'))).toBe(true);
    await expectLogged('/rec', ['n0', 'n1']);
  });
});
