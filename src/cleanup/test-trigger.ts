import { afterEach, beforeEach, jest } from '@jest/globals';
import { CleanupWorld } from '../../test/fakes/cleanup-world.js';
import { FakeFileSystem } from '../../test/fakes/fake-filesystem.js';
import { COALESCE_MS } from '../measuring/target-monitor.js';
import { RegistrationService } from '../registration/registration.service.js';
import type { Registration } from '../state/state.model.js';
import type { CleanupReport } from './cleanup-report.js';
import { CLEANUP_RAN } from './cleanup.topics.js';
import { TriggerService } from './trigger.service.js';

/**
 * The trigger specs' world: the real store, measuring and cleanup on in-memory ports (CleanupWorld), a
 * TriggerService subscribed to them, and every run's report. `useTriggerWorld()` in a spec's top describe makes a
 * fresh one for each test; the bindings below are that test's (ES module bindings are live: a spec that imports
 * `world` reads the current test's).
 */
export let world: CleanupWorld;
export let trigger: TriggerService;
export let ran: CleanupReport[];
export let registrations: RegistrationService;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const CHECK_SECONDS = 300;

export function useTriggerWorld(): void {
  beforeEach(async () => {
    // Promises, I/O callbacks and performance.now stay real; only timers are the spec's to move.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'performance', 'hrtime', 'Date'] });
    world = new CleanupWorld({ SM_CHECK_INTERVAL_SECONDS: String(CHECK_SECONDS) });
    trigger = new TriggerService(world.cleanup, world.measuring, world.store, world.clock, world.bus, world.scheduler, world.config);
    ran = [];
    world.bus.on(CLEANUP_RAN, ({ report }) => void ran.push(report));
    registrations = new RegistrationService(world.store, world.catalog, new FakeFileSystem(), world.clock, world.config);
    // Subscribed before measuring is: a change run must not depend on which of the two hears a commit first.
    trigger.onModuleInit();
    await world.start();
  });

  afterEach(async () => {
    trigger.stop();
    await world.close();
    jest.useRealTimers();
  });
}

export const files = (target: string): string[] => world.disk.files(world.path(target));
export const deletedRuns = (): string[][] => world.deleter.runs.map((run) => run.paths);
export const runsBy = (kind: string): CleanupReport[] => ran.filter((report) => report.trigger === kind);

/** Time passes: the fixed clock and the (fake) timers move together. */
export async function elapse(ms: number): Promise<void> {
  world.clock.advance(ms);
  await jest.advanceTimersByTimeAsync(ms);
}

/** Lets the measuring engine apply what the watcher reported (one coalescing window), then waits for cleanups. */
export async function settle(): Promise<void> {
  await elapse(COALESCE_MS);
  await world.cleanup.drain();
}

/** Files of `size` bytes under `target`, the first the oldest (an hour apart, all older than min_age_seconds). */
export function writeOld(target: string, names: string[], size = 100): void {
  names.forEach((name, i) => world.disk.write(world.path(`${target}/${name}`), { size, ageMs: (names.length + 1 - i) * HOUR }));
}

/** Registers a max_size policy of `maxBytes` on `target` and waits for the run after its first scan. */
export async function capped(target: string, maxBytes: number, overrides: Partial<Registration> = {}): Promise<Registration> {
  const registration = await world.register(target, 'max_size', { max_bytes: maxBytes }, overrides);
  await world.cleanup.drain();
  return registration;
}
