import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { CleanupWorld, T0 } from '../../test/fakes/cleanup-world.js';
import { LogStorageError } from '../event-log/log-storage.error.js';
import type { IntendedFile, IntentHeader } from './intent-journal.port.js';

const HOUR = 3_600_000;

/** SPEC §8: every deletion is on the record, even when the run that made it did not get to record it. */
describe('DeletionJournalService', () => {
  let world: CleanupWorld;
  const rec = (name: string): string => world.path(`/rec/${name}`);

  function header(run: string): IntentHeader {
    return {
      run,
      registration_id: 'reg-/rec',
      target: 'cam:/rec',
      volume_name: 'cam',
      registration_path: '/rec',
      root: world.path('/rec'),
      trigger: 'threshold',
      algorithm: 'max_size',
      started_at: T0.toISOString(),
    };
  }

  /** Writes the files and returns them as an intent plans them (size, dev, ino of now). */
  function planned(sizes: Record<string, number>): IntendedFile[] {
    return Object.entries(sizes).map(([name, size]) => {
      world.disk.write(rec(name), { size, ageMs: HOUR });
      const stat = world.disk.stat(rec(name))!;
      return { path: name, size, dev: stat.dev, ino: stat.ino };
    });
  }

  /** An intent as a run that crashed mid-way leaves it. */
  async function leftOpen(run: string, files: IntendedFile[]): Promise<void> {
    await world.intents.open(header(run));
    await world.intents.append(run, files);
  }

  beforeEach(async () => {
    world = await new CleanupWorld().start();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await world.close();
    jest.restoreAllMocks();
  });

  describe('reconciliation of an intent left open', () => {
    it('records one cleanup.interrupted with exactly the planned files that are gone, and closes the intent', async () => {
      await leftOpen('run-1', planned({ a: 100, b: 200, c: 300, d: 400, e: 500 }));
      world.disk.remove(rec('a'));
      world.disk.remove(rec('c'));
      world.disk.remove(rec('d'));
      world.disk.write(rec('d'), { size: 400 }); // another file under a deleted one's name: the planned one is gone

      const report = await world.journal.reconcile();

      expect(report).toEqual({ runs: 1, files: 3, bytes: 800 });
      const interrupted = world.events('cleanup.interrupted');
      expect(interrupted).toHaveLength(1);
      expect(interrupted[0]).toMatchObject({
        target: 'cam:/rec',
        payload: {
          id: 'reg-/rec',
          run: 'run-1',
          trigger: 'threshold',
          algorithm: 'max_size',
          started_at: T0.toISOString(),
          planned_files: 5,
          files: 3,
          bytes: 800,
          first_paths: ['a', 'c', 'd'],
        },
      });
      expect(world.log.deletions.map((d) => [d.volume_name, d.path, d.bytes, d.seq, d.type, d.run])).toEqual([
        ['cam', '/rec/a', 100, interrupted[0]!.seq, 'cleanup.interrupted', 'run-1'],
        ['cam', '/rec/c', 300, interrupted[0]!.seq, 'cleanup.interrupted', 'run-1'],
        ['cam', '/rec/d', 400, interrupted[0]!.seq, 'cleanup.interrupted', 'run-1'],
      ]);
      expect(await world.log.hasUid('run-1')).toBe(true);
      expect(world.intents.closed).toEqual(['run-1']);

      // Reconciling again finds nothing left: nothing is recorded twice.
      await expect(world.journal.reconcile()).resolves.toEqual({ runs: 0, files: 0, bytes: 0 });
      expect(world.events('cleanup.interrupted')).toHaveLength(1);
    });

    it('a file planned in two batches counts once', async () => {
      const files = planned({ a: 100, b: 200 });
      await leftOpen('run-2', files);
      await world.intents.append('run-2', [files[0]!]); // the batch was written again before the crash
      world.disk.remove(rec('a'));

      await expect(world.journal.reconcile()).resolves.toEqual({ runs: 1, files: 1, bytes: 100 });
      expect(world.log.deletions.map((d) => d.path)).toEqual(['/rec/a']);
    });

    it('an intent whose run is in the log already (its outcome committed, the intent not yet gone) is closed, recording nothing', async () => {
      await leftOpen('run-3', planned({ a: 100, b: 200 }));
      world.disk.remove(rec('a'));
      await world.store.record([
        {
          type: 'cleanup.completed',
          target: 'cam:/rec',
          uid: 'run-3',
          deleted: [{ volume_name: 'cam', path: '/rec/a', bytes: 100 }],
          payload: { id: 'reg-/rec', trigger: 'threshold', dry_run: false, files: 1, bytes: 100, skipped: 0, errors: 0, duration_ms: 1, first_paths: ['a'], run: 'run-3' },
        },
      ]);
      const before = world.log.events.length;

      await expect(world.journal.reconcile()).resolves.toEqual({ runs: 0, files: 0, bytes: 0 });

      expect(world.log.events).toHaveLength(before);
      expect(world.events('cleanup.interrupted')).toEqual([]);
      expect(world.log.deletions).toHaveLength(1);
      expect(world.intents.intents.size).toBe(0);
      expect(world.intents.closed).toEqual(['run-3']);
    });
  });

  it('a cleanup run writes its intent before it deletes, and closes it only once its cleanup.completed is committed', async () => {
    ['a', 'b', 'c', 'd', 'e'].forEach((name, i) => world.disk.write(rec(name), { size: 100, ageMs: (6 - i) * HOUR }));
    const registration = await world.register('/rec', 'max_size', { max_bytes: 300 });
    const order: string[] = [];
    const { intents, deleter } = world;
    const open = intents.open.bind(intents);
    const append = intents.append.bind(intents);
    const close = intents.close.bind(intents);
    const deleteFiles = deleter.deleteFiles.bind(deleter);
    jest.spyOn(intents, 'open').mockImplementation(async (h) => {
      order.push('intent opened');
      return open(h);
    });
    jest.spyOn(intents, 'append').mockImplementation(async (run, files) => {
      order.push(`intent: ${files.map((f) => f.path).join(',')} (on disk: ${files.filter((f) => world.disk.stat(rec(f.path))).length})`);
      return append(run, files);
    });
    jest.spyOn(deleter, 'deleteFiles').mockImplementation(async (root, entries, options) => {
      order.push(`delete: ${entries.map((e) => e.path).join(',')}`);
      return deleteFiles(root, entries, options);
    });
    jest.spyOn(intents, 'close').mockImplementation((run) => {
      const outcome = world.log.events.find((e) => e.type === 'cleanup.completed' && (e.payload as { run?: string }).run === run);
      order.push(`intent closed (outcome ${outcome ? `committed at seq ${outcome.seq}` : 'not committed'})`);
      close(run);
    });

    const report = await world.cleanup.request(registration, 'sweep');

    expect(report).toMatchObject({ status: 'done', files: 2, bytes: 200 });
    const [completed] = world.events('cleanup.completed');
    expect(order).toEqual(['intent opened', 'intent: a,b (on disk: 2)', 'delete: a,b', `intent closed (outcome committed at seq ${completed!.seq})`]);
    expect(completed!.payload.run).toBeDefined();
    expect(world.intents.closed).toEqual([completed!.payload.run]);
    expect(world.intents.intents.size).toBe(0);
    expect(world.log.deletions.map((d) => [d.path, d.bytes, d.run])).toEqual([
      ['/rec/a', 100, completed!.payload.run],
      ['/rec/b', 100, completed!.payload.run],
    ]);
  });

  it('while the log cannot be written, the intent of a run stays open until its spooled outcome is committed', async () => {
    ['a', 'b', 'c'].forEach((name, i) => world.disk.write(rec(name), { size: 100, ageMs: (4 - i) * HOUR }));
    const registration = await world.register('/rec', 'max_size', { max_bytes: 100 });
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const append = world.log.append.bind(world.log);
    let away = true;
    jest.spyOn(world.log, 'append').mockImplementation(async (events) => {
      if (away) throw new LogStorageError('unavailable', 'the postgres database cannot be written: connect ECONNREFUSED');
      return append(events);
    });

    const report = await world.cleanup.request(registration, 'sweep');

    expect(report).toMatchObject({ status: 'done', files: 2 });
    expect(world.disk.files(world.path('/rec'))).toEqual(['c']);
    expect(world.intents.intents.size).toBe(1);
    expect(world.intents.closed).toEqual([]);

    away = false;
    await world.store.transact(() => ({ events: [], result: undefined })); // writes the spool

    const [completed] = world.events('cleanup.completed');
    expect(completed!.payload).toMatchObject({ files: 2, run: expect.any(String) });
    expect(world.intents.closed).toEqual([completed!.payload.run]);
    expect(world.intents.intents.size).toBe(0);
  });
});
