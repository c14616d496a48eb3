import { describe, expect, it } from '@jest/globals';
import { T0 } from '../../test/fakes/cleanup-world.js';
import { CHECK_SECONDS, capped, DAY, deletedRuns, elapse, files, HOUR, ran, runsBy, settle, trigger, useTriggerWorld, world, writeOld } from './test-trigger.js';
import { SWEEP_JOB } from './trigger.service.js';

/** What runs a cleanup on time: a file's expiry, the periodic and start-up sweeps (threshold and change runs: trigger.service.spec.ts). */
describe('TriggerService', () => {
  useTriggerWorld();

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
