import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { CleanupWorld, T0 } from '../../test/fakes/cleanup-world.js';
import { FakeFileSystem } from '../../test/fakes/fake-filesystem.js';
import { MaintenanceService } from '../maintenance/maintenance.service.js';
import { COALESCE_MS } from '../measuring/target-monitor.js';
import { parseRegistration, type RegistrationInput } from '../registration/registration.schema.js';
import { RegistrationService } from '../registration/registration.service.js';
import type { Registration } from '../state/state.model.js';
import type { CleanupReport } from './cleanup-report.js';
import { CLEANUP_RAN } from './cleanup.topics.js';
import { QuarantineService } from './quarantine.service.js';
import { STUCK_RETRY_MS, SWEEP_JOB, TriggerService } from './trigger.service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHECK_SECONDS = 300;

describe('TriggerService', () => {
  let world: CleanupWorld;
  let trigger: TriggerService;
  let ran: CleanupReport[];
  let registrations: RegistrationService;

  const files = (target: string): string[] => world.disk.files(world.path(target));
  const deletedRuns = (): string[][] => world.deleter.runs.map((run) => run.paths);
  const runsBy = (kind: string): CleanupReport[] => ran.filter((report) => report.trigger === kind);

  /** Time passes: the fixed clock and the (fake) timers move together. */
  async function elapse(ms: number): Promise<void> {
    world.clock.advance(ms);
    await jest.advanceTimersByTimeAsync(ms);
  }

  /** Lets the measuring engine apply what the watcher reported (one coalescing window), then waits for cleanups. */
  async function settle(): Promise<void> {
    await elapse(COALESCE_MS);
    await world.cleanup.drain();
  }

  /** Files of `size` bytes under `target`, the first the oldest (an hour apart, all older than min_age_seconds). */
  function writeOld(target: string, names: string[], size = 100): void {
    names.forEach((name, i) => world.disk.write(world.path(`${target}/${name}`), { size, ageMs: (names.length + 1 - i) * HOUR }));
  }

  async function capped(target: string, maxBytes: number, overrides: Partial<Registration> = {}): Promise<Registration> {
    const registration = await world.register(target, 'max_size', { max_bytes: maxBytes }, overrides);
    await world.cleanup.drain();
    return registration;
  }

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

  describe('threshold crossings', () => {
    it('a change that takes a target over its cap runs one threshold cleanup at once; changes within the cap run none', async () => {
      writeOld('/rec', ['a', 'b', 'c']);
      await capped('/rec', 300); // exactly at the cap: the run after the first scan deletes nothing

      // A burst of three new files: one crossing, one run.
      for (const name of ['d', 'e', 'f']) world.disk.write(world.path(`/rec/${name}`), { size: 100, ageMs: HOUR / 2 });
      await settle();

      expect(runsBy('threshold')).toHaveLength(1);
      expect(deletedRuns()).toEqual([['a', 'b', 'c']]);
      expect(files('/rec')).toEqual(['d', 'e', 'f']);

      // Changes that leave the target at or under its cap trigger nothing.
      world.disk.remove(world.path('/rec/d'));
      await settle();
      world.disk.write(world.path('/rec/g'), { size: 100, ageMs: HOUR / 2 });
      await settle();

      expect(runsBy('threshold')).toHaveLength(1);
      expect(files('/rec')).toEqual(['e', 'f', 'g']);
    });

    it('never triggers a quarantined target', async () => {
      writeOld('/rec', ['a', 'b', 'c']);
      const registration = await capped('/rec', 300);
      await world.store.record([{ type: 'quarantine.entered', target: 'cam:/rec', payload: { id: registration.id, reason: 'root replaced' } }]);

      world.disk.write(world.path('/rec/d'), { size: 100, ageMs: HOUR / 2 });
      await settle();
      const sweep = await trigger.sweep();

      expect(runsBy('threshold')).toEqual([]);
      expect(sweep.map((report) => [report.status, report.detail])).toEqual([['skipped', 'quarantined: root replaced']]);
      expect(world.deleter.runs).toEqual([]);
      expect(files('/rec')).toEqual(['a', 'b', 'c', 'd']);
    });

    it(`retries a target its last threshold run could not bring under its cap only after STUCK_RETRY_MS (${STUCK_RETRY_MS / 1000} s)`, async () => {
      // A fresh 1000-byte recording (younger than min_age_seconds) keeps the target over 300 bytes whatever goes.
      world.disk.write(world.path('/rec/fresh.mp4'), { size: 1000, ageMs: 0 });
      writeOld('/rec', ['a']);
      await capped('/rec', 300);
      expect(deletedRuns()).toEqual([['a']]);
      expect(world.events('target.blocked')).toHaveLength(1);

      // Within the window, another crossing runs nothing: `b` stays.
      await elapse(STUCK_RETRY_MS - 1000);
      writeOld('/rec', ['b']);
      await settle();
      expect(deletedRuns()).toEqual([['a']]);
      expect(files('/rec')).toEqual(['b', 'fresh.mp4']);

      // Once the window has passed, the next crossing runs again and takes what became deletable.
      await elapse(1000);
      writeOld('/rec', ['c']);
      await settle();
      expect(deletedRuns()).toEqual([['a'], ['b', 'c']]);
      expect(files('/rec')).toEqual(['fresh.mp4']);
    });
  });

  describe('changes that make a policy want to act (trigger change)', () => {
    const input = (target: string, algorithm: string, params: Record<string, unknown>): RegistrationInput =>
      parseRegistration({ volume_name: 'cam', path: target, algorithm, params });

    /** Every run the change caused has ended, and nothing else is on its way (no time passes). */
    async function changeRuns(): Promise<CleanupReport[]> {
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        await world.cleanup.drain();
      }
      return runsBy('change');
    }

    /** Acted on at the instant of the change: the fixed clock never moved, so no run waited for a sweep or a write. */
    function expectActedAtOnce(at = T0): void {
      expect(world.clock.now()).toEqual(at);
      const completed = world.events('cleanup.completed').filter((e) => e.payload.trigger === 'change');
      expect(completed.length).toBeGreaterThan(0);
      expect(completed.map((e) => e.at)).toEqual(completed.map(() => at));
    }

    it('a lowered max_bytes the target already exceeds runs the policy at once, once', async () => {
      writeOld('/rec', ['a', 'b', 'c']);
      await capped('/rec', 300);

      expect((await registrations.upsert(input('/rec', 'max_size', { max_bytes: 100 }))).outcome).toBe('updated');

      expect((await changeRuns()).map((r) => r.first_paths)).toEqual([['a', 'b']]);
      expect(files('/rec')).toEqual(['c']);
      expect(runsBy('threshold')).toEqual([]);
      expectActedAtOnce();
    });

    it('a smaller keep_count runs the policy at once', async () => {
      writeOld('/snap', ['s1', 's2', 's3', 's4']);
      await world.register('/snap', 'keep_n_latest', { keep_count: 4 });
      await world.cleanup.drain();

      await registrations.upsert(input('/snap', 'keep_n_latest', { keep_count: 1 }));

      expect((await changeRuns()).map((r) => r.first_paths)).toEqual([['s1', 's2', 's3']]);
      expect(files('/snap')).toEqual(['s4']);
      expectActedAtOnce();
    });

    it('a shorter max_age_days runs the policy at once and moves the next expiry to the new threshold', async () => {
      writeOld('/logs', ['l1', 'l2', 'l3', 'l4']); // 5 h, 4 h, 3 h and 2 h old
      await world.register('/logs', 'remove_before_date', { max_age_days: 1 });
      await world.cleanup.drain();

      await registrations.upsert(input('/logs', 'remove_before_date', { max_age_days: 3.5 / 24 }));

      expect((await changeRuns()).map((r) => r.first_paths)).toEqual([['l1', 'l2']]);
      expect(files('/logs')).toEqual(['l3', 'l4']);
      expectActedAtOnce();
      // l3 (3 h old) expires half an hour later, not a day after it was written.
      expect(ran.at(-1)!.next_run_at).toBe(new Date(T0.getTime() + HOUR / 2 + 1).toISOString());
      await elapse(HOUR / 2 + 1);
      await world.cleanup.drain();
      expect(runsBy('expiry').map((r) => r.first_paths)).toEqual([['l3']]);
    });

    it('an import that lowers a cap runs the policy at once', async () => {
      writeOld('/rec', ['a', 'b', 'c']);
      await capped('/rec', 300);

      const summary = await registrations.import([input('/rec', 'max_size', { max_bytes: 200 })], 'merge', false);

      expect(summary).toMatchObject({ updated: 1 });
      expect((await changeRuns()).map((r) => r.first_paths)).toEqual([['a']]);
      expect(files('/rec')).toEqual(['b', 'c']);
      expectActedAtOnce();
    });

    it('a deploy and a label update that tighten a policy each run it at once', async () => {
      writeOld('/dep', ['d1', 'd2', 'd3']);
      writeOld('/lab', ['x1', 'x2', 'x3']);
      await registrations.deploy('shop', [input('/dep', 'keep_n_latest', { keep_count: 3 })], false);
      await registrations.upsert(input('/lab', 'keep_n_latest', { keep_count: 3 }), 'label', 'cam-app');
      await changeRuns();
      expect(world.deleter.runs).toEqual([]);

      await registrations.deploy('shop', [input('/dep', 'keep_n_latest', { keep_count: 2 })], false);
      await registrations.upsert(input('/lab', 'keep_n_latest', { keep_count: 1 }), 'label', 'cam-app');

      expect((await changeRuns()).map((r) => [r.path, r.first_paths])).toEqual([
        ['/dep', ['d1']],
        ['/lab', ['x1', 'x2']],
      ]);
      expect([files('/dep'), files('/lab')]).toEqual([['d2', 'd3'], ['x3']]);
    });

    it('leaving maintenance mode runs every active target in the background', async () => {
      const maintenance = new MaintenanceService(world.store);
      await maintenance.set(true, 'backup');
      writeOld('/a', ['a1', 'a2']);
      writeOld('/b', ['b1', 'b2']);
      await capped('/a', 100); // planned as dry runs only
      await capped('/b', 100);
      await capped('/p', 0, { status: 'pending' });
      expect([files('/a'), files('/b')]).toEqual([['a1', 'a2'], ['b1', 'b2']]);
      const held = world.deleter.hold();

      await maintenance.set(false, null); // answered while the first run is still deleting
      await held.reached;
      expect(runsBy('change')).toEqual([]);
      held.release();

      expect((await changeRuns()).map((r) => [r.path, r.dry_run, r.first_paths])).toEqual([
        ['/a', false, ['a1']],
        ['/b', false, ['b1']],
      ]);
      expect([files('/a'), files('/b')]).toEqual([['a2'], ['b2']]);
      expectActedAtOnce();
    });

    it('a release from quarantine measures the target afresh and runs its policy once', async () => {
      writeOld('/rec', ['a', 'b']);
      const registration = await capped('/rec', 200);
      await world.store.record([{ type: 'quarantine.entered', target: 'cam:/rec', payload: { id: registration.id, reason: '3 failed cleanups' } }]);
      world.disk.write(world.path('/rec/c'), { size: 100, ageMs: HOUR / 2 }); // over the cap: no threshold run while quarantined
      world.disk.unnoticed(() => world.disk.write(world.path('/rec/d'), { size: 100, ageMs: HOUR / 4 })); // seen only by a fresh scan
      await settle();
      expect(world.deleter.runs).toEqual([]);
      const released = world.clock.now();

      await new QuarantineService(world.store).release(world.current(registration));

      expect((await changeRuns()).map((r) => r.first_paths)).toEqual([['a', 'b']]);
      expect(files('/rec')).toEqual(['c', 'd']);
      expect(ran.filter((r) => r.trigger !== 'sweep' || r.files > 0).map((r) => r.trigger)).toEqual(['change']);
      expectActedAtOnce(released);
    });

    it('a change that makes a new monitor (another watch setting) runs once, after its first scan, as change', async () => {
      writeOld('/rec', ['a', 'b', 'c']);
      await capped('/rec', 300);
      const before = world.measuring.monitor('reg-/rec');

      await registrations.upsert(input('/rec', 'max_size', { max_bytes: 100, watch: 'poll' }));

      expect((await changeRuns()).map((r) => r.first_paths)).toEqual([['a', 'b']]);
      expect(world.measuring.monitor('reg-/rec')).not.toBe(before);
      expect(ran.map((r) => r.trigger)).toEqual(['sweep', 'change']); // the first registration's run, then this one
    });

    it('a change that asks for nothing more runs the planner and records nothing', async () => {
      writeOld('/rec', ['a', 'b']);
      await capped('/rec', 300);
      const events = world.log.events.length;

      await registrations.upsert(parseRegistration({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 300 }, description: 'clips' }));

      expect((await changeRuns()).map((r) => r.files)).toEqual([0]);
      expect(world.log.events.slice(events).map((e) => e.type)).toEqual(['registration.updated']);
    });
  });

  describe('expiry', () => {
    it('runs an age policy at the instant its oldest file expires, not a millisecond before', async () => {
      world.disk.write(world.path('/logs/old.log'), { size: 10, ageMs: DAY - 10_000 }); // one day old in 10 s
      world.disk.write(world.path('/logs/new.log'), { size: 10, ageMs: 0 });
      await world.register('/logs', 'remove_before_date', { max_age_days: 1, min_age_seconds: 0 });
      await world.cleanup.drain();
      const planned = new Date(ran[0]!.next_run_at!);
      expect(planned.getTime() - T0.getTime()).toBeGreaterThanOrEqual(10_000);
      expect(planned.getTime() - T0.getTime()).toBeLessThanOrEqual(10_001);

      await elapse(planned.getTime() - world.clock.now().getTime() - 1);
      await world.cleanup.drain();
      expect(runsBy('expiry')).toEqual([]);
      expect(files('/logs')).toEqual(['new.log', 'old.log']);

      await elapse(1);
      await world.cleanup.drain();
      expect(runsBy('expiry').map((r) => r.first_paths)).toEqual([['old.log']]);
      expect(files('/logs')).toEqual(['new.log']);
      const expired = world.events('cleanup.completed').filter((e) => e.payload.trigger === 'expiry');
      expect(expired.map((e) => e.at.toISOString())).toEqual([planned.toISOString()]);
    });

    it('fires no expiry run once stopped (shutdown)', async () => {
      world.disk.write(world.path('/logs/old.log'), { size: 10, ageMs: DAY - 10_000 });
      await world.register('/logs', 'remove_before_date', { max_age_days: 1, min_age_seconds: 0 });
      await world.cleanup.drain();
      expect(ran.map((r) => r.next_run_at)).toEqual([expect.any(String)]);

      trigger.stop();
      await elapse(60_000);
      await world.cleanup.drain();

      expect(runsBy('expiry')).toEqual([]);
      expect(files('/logs')).toEqual(['old.log']);
    });
  });

  describe('sweeps', () => {
    it(`every SM_CHECK_INTERVAL_SECONDS rescans every active registration (recording drift) and runs its policy`, async () => {
      writeOld('/a', ['a1']);
      writeOld('/b', ['b1']);
      writeOld('/p', ['p1', 'p2']);
      await capped('/a', 100);
      await capped('/b', 100);
      await capped('/p', 100, { status: 'pending' });
      // Files the watcher never reported: only a rescan finds them.
      world.disk.unnoticed(() => {
        writeOld('/a', ['a0']);
        writeOld('/b', ['b0']);
      });
      world.scheduler.start();

      await elapse(CHECK_SECONDS * 1000 - 1);
      expect(runsBy('sweep')).toHaveLength(2); // the runs after each first scan, nothing since
      await elapse(1);
      await world.cleanup.drain();

      expect(world.scheduler.status().find((job) => job.name === SWEEP_JOB)).toMatchObject({ runs: 1, running: false, last_error: null });
      expect(world.events('usage.drift').map((e) => [e.target, e.payload.files])).toEqual([
        ['cam:/a', 1],
        ['cam:/b', 1],
      ]);
      expect([files('/a'), files('/b'), files('/p')]).toEqual([['a1'], ['b1'], ['p1', 'p2']]);
      // The rescan's new tally crosses the cap, so the threshold trigger may take the files before the sweep's own run.
      expect(deletedRuns()).toEqual([['a0'], ['b0']]);
    });

    it('runs one sweep at start-up, to catch up after downtime', async () => {
      writeOld('/a', ['a1']);
      await capped('/a', 100);
      world.disk.unnoticed(() => writeOld('/a', ['a0']));

      trigger.onApplicationBootstrap();
      await elapse(0);
      await world.cleanup.drain();

      expect(world.scheduler.status().find((job) => job.name === SWEEP_JOB)).toMatchObject({ runs: 1 });
      expect(files('/a')).toEqual(['a1']);
    });

    it('the catch-up sweep takes a first scan still running as its rescan: one scan and one policy run per target', async () => {
      writeOld('/a', ['a0', 'a1']);
      writeOld('/b', ['b0', 'b1']);
      // As at start-up: the registrations are in the state and measuring has begun their first scans.
      const release = world.reader.holdScans();
      const registered = Promise.all([world.register('/a', 'max_size', { max_bytes: 100 }), world.register('/b', 'max_size', { max_bytes: 100 })]);
      await world.store.drain();
      await world.measuring.sync();

      const sweep = trigger.sweep();
      release();
      await Promise.all([registered, sweep]);
      await world.cleanup.drain();

      expect(world.reader.scans).toEqual([world.path('/a'), world.path('/b')]);
      // The first scan's tally takes each over its cap (a threshold run deletes), then its end runs the policy once.
      expect(runsBy('sweep').map((r) => r.path)).toEqual(['/a', '/b']);
      expect(deletedRuns()).toEqual([['a0'], ['b0']]);
      expect([files('/a'), files('/b')]).toEqual([['a1'], ['b1']]);
    });

    it('a sweep stops between targets once the trigger is stopped', async () => {
      writeOld('/a', ['a1']);
      writeOld('/b', ['b1']);
      await capped('/a', 100);
      await capped('/b', 100);
      world.disk.unnoticed(() => {
        writeOld('/a', ['a0']);
        writeOld('/b', ['b0']);
      });
      const held = world.deleter.hold();

      const sweep = trigger.sweep();
      await held.reached; // the sweep is deleting in /a
      trigger.stop();
      held.release();
      const reports = await sweep;

      expect(reports.map((r) => r.path)).toEqual(['/a']);
      expect([files('/a'), files('/b')]).toEqual([['a1'], ['b0', 'b1']]);
    });
  });

  it('quarantines a target whose root was replaced by another directory, and no later run cleans it', async () => {
    writeOld('/rec', ['a', 'b']);
    await capped('/rec', 250);
    world.disk.remove(world.path('/rec'));
    writeOld('/rec', ['x', 'y']); // a new directory under the old name

    await trigger.sweep(); // its rescan sees the new root
    await world.store.drain();

    expect(world.events('quarantine.entered').map((e) => e.payload.reason)).toEqual([expect.stringMatching(/replaced by another directory/)]);
    world.disk.write(world.path('/rec/big'), { size: 5000, ageMs: HOUR });
    await settle();
    await trigger.sweep();
    expect(world.deleter.runs).toEqual([]);
    expect(files('/rec')).toEqual(['big', 'x', 'y']);
  });
});
