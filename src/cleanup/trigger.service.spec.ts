import { describe, expect, it } from '@jest/globals';
import { T0 } from '../../test/fakes/cleanup-world.js';
import { MaintenanceService } from '../maintenance/maintenance.service.js';
import { parseRegistration, type RegistrationInput } from '../registration/registration.schema.js';
import type { CleanupReport } from './cleanup-report.js';
import { QuarantineService } from './quarantine.service.js';
import { capped, deletedRuns, elapse, files, HOUR, ran, registrations, runsBy, settle, trigger, useTriggerWorld, world, writeOld } from './test-trigger.js';
import { STUCK_RETRY_MS } from './trigger.service.js';

/** What runs a cleanup the moment it is called for: a target crossing its cap, a change that tightens a policy. */
describe('TriggerService', () => {
  useTriggerWorld();

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
});
