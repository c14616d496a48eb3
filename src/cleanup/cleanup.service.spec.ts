import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CleanupWorld, T0 } from '../../test/fakes/cleanup-world.js';
import { targetRecord, type Registration } from '../state/state.model.js';
import { UnsafeDeletionError } from './file-deleter.port.js';

const HOUR = 3_600_000;

describe('CleanupService', () => {
  let world: CleanupWorld;
  const rec = (name = ''): string => world.path(`/rec${name === '' ? '' : `/${name}`}`);
  const left = (): string[] => world.disk.files(rec());

  /** Files of 100 bytes in /rec, the first the oldest (an hour apart, all older than min_age_seconds). */
  function writeOld(...names: string[]): void {
    names.forEach((name, i) => world.disk.write(rec(name), { size: 100, ageMs: (names.length + 1 - i) * HOUR }));
  }

  async function capped(maxBytes: number, params: Record<string, unknown> = {}): Promise<Registration> {
    return world.register('/rec', 'max_size', { max_bytes: maxBytes, ...params });
  }

  beforeEach(async () => {
    world = await new CleanupWorld().start();
  });

  afterEach(async () => {
    await world.close();
  });

  it('deletes the oldest files down to the cap and records what it freed', async () => {
    writeOld('a', 'b', 'c', 'd', 'e');
    const registration = await capped(300);

    const report = await world.cleanup.request(registration, 'sweep');

    expect(left()).toEqual(['c', 'd', 'e']);
    expect(report).toMatchObject({ status: 'done', dry_run: false, files: 2, bytes: 200, first_paths: ['a', 'b'], blocked: null });
    expect(world.events('cleanup.completed').map((e) => e.payload)).toEqual([
      expect.objectContaining({ trigger: 'sweep', dry_run: false, files: 2, bytes: 200, first_paths: ['a', 'b'] }),
    ]);
    expect(targetRecord(world.store.current, 'cam:/rec').last_cleanup).toEqual({ at: T0.toISOString(), trigger: 'sweep', files_removed: 2, bytes_freed: 200 });
    expect(world.measuring.tally(registration.id)).toMatchObject({ bytes: 300, files: 3 });
  });

  describe('dry runs', () => {
    it('a requested dry run deletes nothing and records what it would have deleted as a dry run', async () => {
      writeOld('a', 'b', 'c', 'd', 'e');
      const registration = await capped(300);

      const report = await world.cleanup.request(registration, 'manual', { dryRun: true });

      expect(left()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(world.deleter.runs).toEqual([]);
      expect(report).toMatchObject({ status: 'done', dry_run: true, files: 2, bytes: 200, first_paths: ['a', 'b'] });
      expect(world.events('cleanup.completed').map((e) => e.payload)).toEqual([
        expect.objectContaining({ trigger: 'manual', dry_run: true, files: 2, bytes: 200, first_paths: ['a', 'b'] }),
      ]);
      // A dry run is not a cleanup: the target still shows as never cleaned.
      expect(targetRecord(world.store.current, 'cam:/rec').last_cleanup).toBeNull();
    });

    it('a registration with dry_run never deletes, not even on a manual run', async () => {
      writeOld('a', 'b', 'c');
      const registration = await capped(100, { dry_run: true });

      const reports = [await world.cleanup.request(registration, 'threshold'), await world.cleanup.request(registration, 'manual')];

      expect(left()).toEqual(['a', 'b', 'c']);
      expect(world.deleter.runs).toEqual([]);
      expect(reports.map((r) => [r.trigger, r.dry_run, r.files])).toEqual([
        ['threshold', true, 2],
        ['manual', true, 2],
      ]);
    });
  });

  it('in maintenance mode turns automatic runs into dry runs, while a manual run still deletes', async () => {
    writeOld('a', 'b', 'c', 'd');
    const registration = await capped(200);
    await world.store.record([{ type: 'maintenance.enabled', payload: { reason: 'disk swap' } }]);

    const automatic = [];
    for (const trigger of ['threshold', 'expiry', 'sweep'] as const) automatic.push(await world.cleanup.request(registration, trigger));

    expect(left()).toEqual(['a', 'b', 'c', 'd']);
    expect(automatic.map((r) => [r.trigger, r.dry_run, r.files])).toEqual([
      ['threshold', true, 2],
      ['expiry', true, 2],
      ['sweep', true, 2],
    ]);

    const manual = await world.cleanup.request(registration, 'manual');

    expect(manual).toMatchObject({ dry_run: false, files: 2, first_paths: ['a', 'b'] });
    expect(left()).toEqual(['c', 'd']);
    expect(world.events('cleanup.completed').map((e) => [e.payload.trigger, e.payload.dry_run])).toEqual([
      ['threshold', true],
      ['expiry', true],
      ['sweep', true],
      ['manual', false],
    ]);
  });

  it('runs one cleanup per target at a time: requests during a run cause exactly one more run', async () => {
    writeOld('a', 'b', 'c', 'd', 'e');
    const registration = await capped(300);
    const held = world.deleter.hold();

    const first = world.cleanup.request(registration, 'threshold');
    await held.reached;
    // While the first run deletes, the app writes two more files and three more requests arrive.
    world.disk.write(rec('f'), { size: 100, ageMs: HOUR / 2 });
    world.disk.write(rec('g'), { size: 100, ageMs: HOUR / 2 });
    const during = [world.cleanup.request(registration, 'threshold'), world.cleanup.request(registration, 'sweep'), world.cleanup.request(registration, 'threshold')];
    held.release();
    const reports = await Promise.all([first, ...during]);

    expect(world.deleter.runs.map((run) => run.paths)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(left()).toEqual(['e', 'f', 'g']);
    // Every caller hears how it ended: the report of the last run.
    expect(new Set(reports).size).toBe(1);
    expect(reports[0]).toMatchObject({ trigger: 'threshold', files: 2, first_paths: ['c', 'd'] });

    // Once idle, a request starts a new run of its own.
    world.disk.write(rec('h'), { size: 100, ageMs: HOUR / 2 });
    await world.cleanup.request(registration, 'sweep');
    expect(world.deleter.runs).toHaveLength(3);
    expect(left()).toEqual(['f', 'g', 'h']);
  });

  it('re-plans when a planned file changed on disk since it was indexed, so the cap is met without deleting the new data', async () => {
    writeOld('a', 'b', 'c', 'd', 'e', 'f');
    const registration = await capped(300);
    // `a`, the oldest, is rewritten and the watcher loses the event: the index still has the old `a`.
    world.disk.unnoticed(() => world.disk.write(rec('a'), { size: 100, ageMs: 0 }));

    const report = await world.cleanup.request(registration, 'sweep');

    // Planned from the index: a, b, c. Re-checked on disk, `a` is now too young (min_age_seconds), so b, c, d go.
    expect(world.deleter.runs.map((run) => run.paths)).toEqual([['b', 'c', 'd']]);
    expect(left()).toEqual(['a', 'e', 'f']);
    expect(report).toMatchObject({ status: 'done', files: 3, bytes: 300, skipped: 0, blocked: null });
  });

  describe('failures', () => {
    it(`quarantines a target after SM_QUARANTINE_AFTER (3) failed runs in a row and no longer cleans it`, async () => {
      writeOld('a', 'b', 'c');
      const registration = await capped(100);
      world.deleter.refuseWith = new UnsafeDeletionError('target root /volumes/cam/rec is not a plain directory path');

      const failed = [];
      const quarantined: boolean[] = [];
      for (let run = 0; run < 3; run++) {
        failed.push(await world.cleanup.request(world.current(registration), 'sweep'));
        quarantined.push(world.current(registration).quarantine !== null);
      }

      expect(failed.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
      expect(quarantined).toEqual([false, false, true]);
      expect(failed[0]!.detail).toMatch(/not a plain directory path/);
      expect(world.events('cleanup.failed')).toHaveLength(3);
      expect(world.events('quarantine.entered').map((e) => e.payload.reason)).toEqual([
        expect.stringMatching(/^3 failed cleanups in a row: target root .* is not a plain directory path/),
      ]);
      expect(world.current(registration).quarantine).toMatchObject({ reason: expect.stringMatching(/3 failed cleanups/) });

      world.deleter.refuseWith = undefined;
      const afterwards = await world.cleanup.request(world.current(registration), 'manual');

      expect(afterwards).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/^quarantined: 3 failed cleanups/), files: 0 });
      expect(world.deleter.runs).toHaveLength(3);
      expect(left()).toEqual(['a', 'b', 'c']);
    });

    it('counts a run whose every deletion failed; a run that deletes anything resets the count', async () => {
      writeOld('a', 'b', 'c', 'd', 'e', 'f');
      const registration = await capped(100);
      const everyFile = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => rec(name));
      everyFile.forEach((file) => world.deleter.failing.add(file));

      const firstTwo = [await world.cleanup.request(registration, 'sweep'), await world.cleanup.request(registration, 'sweep')];
      expect(firstTwo.map((r) => [r.status, r.detail])).toEqual([
        ['failed', expect.stringMatching(/^every deletion failed: EACCES/)],
        ['failed', expect.stringMatching(/^every deletion failed: EACCES/)],
      ]);
      expect(targetRecord(world.store.current, 'cam:/rec').failures).toBe(2);

      world.deleter.failing.delete(rec('a')); // one file can go: a partial success
      const partial = await world.cleanup.request(registration, 'sweep');
      expect(partial).toMatchObject({ status: 'done', files: 1, errors: 4 });
      expect(targetRecord(world.store.current, 'cam:/rec').failures).toBe(0);

      await world.cleanup.request(registration, 'sweep');
      await world.cleanup.request(registration, 'sweep');
      expect(targetRecord(world.store.current, 'cam:/rec').failures).toBe(2);
      expect(world.current(registration).quarantine).toBeNull();
      expect(world.events('quarantine.entered')).toEqual([]);
      expect(left()).toEqual(['b', 'c', 'd', 'e', 'f']);
    });
  });

  it('records a target that cannot be brought under its cap as blocked once, and as unblocked when it can', async () => {
    world.disk.write(rec('keep.db'), { size: 500, ageMs: 5 * HOUR });
    writeOld('old.log');
    const registration = await capped(300, { exclude: '*.db' });

    const first = await world.cleanup.request(registration, 'sweep');
    const second = await world.cleanup.request(registration, 'sweep');

    expect(left()).toEqual(['keep.db']);
    expect(first.blocked).toMatchObject({ overBy: 200, unit: 'bytes' });
    expect(second.blocked).toMatchObject({ overBy: 200, unit: 'bytes' });
    expect(world.events('target.blocked').map((e) => e.payload)).toEqual([expect.objectContaining({ over_by: 200, unit: 'bytes' })]);
    expect(targetRecord(world.store.current, 'cam:/rec').blocked).toMatchObject({ over_by: 200, since: T0.toISOString() });

    world.disk.remove(rec('keep.db')); // the operator moves the database away
    const third = await world.cleanup.request(registration, 'sweep');

    expect(third.blocked).toBeNull();
    expect(world.events('target.unblocked')).toHaveLength(1);
    expect(targetRecord(world.store.current, 'cam:/rec').blocked).toBeNull();
  });

  it('skips a target whose volume is gone, deleting nothing', async () => {
    writeOld('a', 'b', 'c');
    const registration = await capped(100);
    world.catalog.delete('cam');

    const report = await world.cleanup.request(registration, 'manual');

    expect(report).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/^not measured/) });
    expect(world.deleter.runs).toEqual([]);
    expect(left()).toEqual(['a', 'b', 'c']);
  });

  it('previews what the policy would delete without deleting or recording anything', async () => {
    writeOld('a', 'b', 'c', 'd');
    const registration = await capped(200);
    const eventsBefore = world.log.events.length;

    const preview = await world.cleanup.preview(registration);

    expect(preview).toMatchObject({ files: 2, bytes: 200, paths: ['a', 'b'], blocked: null });
    expect(left()).toEqual(['a', 'b', 'c', 'd']);
    expect(world.log.events).toHaveLength(eventsBefore);
  });
});
