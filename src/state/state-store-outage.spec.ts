import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { InMemoryStateDisk } from '../../test/fakes/in-memory-state-disk.js';
import { ScriptedEventLog } from '../../test/fakes/scripted-event-log.js';
import { FixedClock } from '../common/clock.js';
import { DatabaseUnavailableError, InsufficientStorageError } from '../common/errors.js';
import { EventBus } from '../common/event-bus.js';
import { parseConfig, type AppConfig } from '../config/app-config.js';
import type { EventRecord, NewEvent } from '../event-log/event.types.js';
import { LogStorageError } from '../event-log/log-storage.error.js';
import { FULL_FLOOR_BYTES, StateDiskService } from '../event-log/state-disk.service.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { targetKey, type Registration } from './state.model.js';
import { FLUSH_FIRST_DELAY_MS, FLUSH_MAX_DELAY_MS } from './log-outage.js';
import { DISK_CHECK_SECONDS, EVENTS_COMMITTED, StateStore } from './state.store.js';

/** SPEC §8: the log cannot be written (database away, or no space on the manager's disk). */

const T0 = new Date('2026-03-01T12:00:00Z');
const MiB = 1024 * 1024;

const away = (): LogStorageError => new LogStorageError('unavailable', 'the postgres database cannot be written: connect ECONNREFUSED 127.0.0.1:5432');
const noSpace = (): LogStorageError => new LogStorageError('full', 'the sqlite database has no space left: SQLITE_FULL: database or disk is full');

/** A fact as cleanup records it: `n` tells the events apart. */
const completed = (n: number): NewEvent => ({
  type: 'cleanup.completed',
  target: 'cam:/rec',
  payload: { id: 'reg-/rec', trigger: 'threshold', dry_run: false, files: n, bytes: n * 100, skipped: 0, errors: 0, duration_ms: 1, first_paths: [`f${n}`] },
});

function registration(path: string): Registration {
  return {
    id: `reg-${path}`, volume_name: 'cam', path, algorithm: 'max_size', params: { max_bytes: 100 }, description: null, source: 'api', owner: null,
    status: 'active', quarantine: null, created_at: T0.toISOString(), updated_at: T0.toISOString(),
  };
}
const created = (path: string): NewEvent => ({ type: 'registration.created', target: targetKey('cam', path), payload: { registration: registration(path) } });

/** What the log holds: type, and the `files` of a cleanup (which fact it is). */
function written(log: ScriptedEventLog): string[] {
  return log.events.map((e) => (e.type === 'cleanup.completed' ? `cleanup.completed#${(e.payload as { files: number }).files}` : e.type));
}

/** Timers faked (the flush backoff), promises and the clock real (the clock is the spec's FixedClock anyway). */
function fakeTimers(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'performance', 'hrtime'] });
}

describe('StateStore while the log cannot be written', () => {
  let clock: FixedClock;
  let log: ScriptedEventLog;
  let bus: EventBus;
  let scheduler: SchedulerService;
  let config: AppConfig;
  let disk: InMemoryStateDisk;
  let stateDisk: StateDiskService;
  let store: StateStore;

  async function newStore(env: Record<string, string> = {}): Promise<StateStore> {
    config = parseConfig({ SM_SNAPSHOT_EVERY_EVENTS: '1000', ...env }, { cwd: '/srv' });
    stateDisk = new StateDiskService(disk, clock, config);
    store = new StateStore(log, clock, config, bus, scheduler, stateDisk);
    await store.load();
    return store;
  }

  /** Lets the flush timer fire after `ms` (fake timers), and the flush it starts finish. */
  async function after(ms: number): Promise<void> {
    clock.advance(ms);
    await jest.advanceTimersByTimeAsync(ms);
    await store.drain();
  }

  beforeEach(async () => {
    fakeTimers();
    clock = new FixedClock(T0);
    log = new ScriptedEventLog(clock);
    bus = new EventBus();
    scheduler = new SchedulerService(clock);
    disk = new InMemoryStateDisk();
    await newStore();
    // Each outage logs an error, as it should; kept out of the spec's output.
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await scheduler.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('database away', () => {
    it('spools facts in order and writes them once it is back: database.unavailable first, database.available last, each once', async () => {
      await store.record([completed(0)]);
      log.failAppends = away();

      // The caller never waits for the database: it gets no records back, and nothing is applied yet.
      await expect(store.record([completed(1)])).resolves.toEqual([]);
      clock.advance(1000);
      await expect(store.record([completed(2), created('/b')])).resolves.toEqual([]);
      clock.advance(1000);
      await expect(store.record([completed(3)])).resolves.toEqual([]);

      expect(written(log)).toEqual(['cleanup.completed#0']);
      expect(store.current.registrations).toEqual({});
      expect(store.writeStatus()).toEqual({ status: 'unavailable', since: T0.toISOString(), error: away().message, spooled: 5, dropped: 0 });

      await after(FLUSH_FIRST_DELAY_MS); // still away: nothing written
      expect(written(log)).toEqual(['cleanup.completed#0']);

      log.failAppends = undefined;
      await after(2 * FLUSH_FIRST_DELAY_MS);

      expect(written(log)).toEqual([
        'cleanup.completed#0',
        'database.unavailable',
        'cleanup.completed#1',
        'cleanup.completed#2',
        'registration.created',
        'cleanup.completed#3',
        'database.available',
      ]);
      // Each keeps the instant it was recorded at, and the seq follows that order.
      expect(log.events.map((e) => e.at.getTime() - T0.getTime())).toEqual([0, 0, 0, 1000, 1000, 2000, 3500]);
      expect(log.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(log.events[1]!.payload).toEqual({ since: T0.toISOString(), error: away().message });
      expect(log.events.at(-1)!.payload).toEqual({ unavailable_seconds: 4, spooled: 5, dropped: 0 });
      // Applied once written.
      expect(Object.keys(store.current.registrations)).toEqual(['cam:/b']);
      expect(store.version).toBe(7);
      expect(store.writeStatus()).toEqual({ status: 'ok', since: null, error: null, spooled: 0, dropped: 0 });

      // Nothing more is written later: the flush timer is gone.
      await after(FLUSH_MAX_DELAY_MS * 2);
      expect(log.events).toHaveLength(7);
      await store.record([completed(4)]);
      expect(written(log).slice(7)).toEqual(['cleanup.completed#4']);
    });

    it('publishes the spooled events once they are committed, in one ordered stream', async () => {
      const published: string[] = [];
      bus.on(EVENTS_COMMITTED, (events: readonly EventRecord[]) => void published.push(...events.map((e) => e.type)));
      log.failAppends = away();
      await store.record([completed(1)]);
      await store.record([completed(2)]);
      expect(published).toEqual([]);

      log.failAppends = undefined;
      await after(FLUSH_FIRST_DELAY_MS);

      expect(published).toEqual(['database.unavailable', 'cleanup.completed', 'cleanup.completed', 'database.available']);
    });

    it('a batch whose commit went through but whose answer was lost is not written twice when retried (uid)', async () => {
      log.failAppends = away();
      await store.record([completed(1)]);
      await store.record([completed(2)]);

      log.failAppends = undefined;
      log.storeThenFail = new LogStorageError('unavailable', 'the postgres database cannot be written: Connection terminated unexpectedly');
      await after(FLUSH_FIRST_DELAY_MS); // stored, then "failed": the store retries later
      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'cleanup.completed#2']);
      expect(store.writeStatus()).toMatchObject({ status: 'unavailable', spooled: 3 });

      await after(2 * FLUSH_FIRST_DELAY_MS);

      expect(log.attempts.map((a) => a.types.length)).toEqual([1, 3, 3, 1]);
      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'cleanup.completed#2', 'database.available']);
      expect(store.writeStatus()).toMatchObject({ status: 'ok', spooled: 0 });
      expect(store.version).toBe(4);
    });

    it('a lost answer to the database.available commit does not write it twice either', async () => {
      log.failAppends = away();
      await store.record([completed(1)]);
      log.failAppends = undefined;
      await after(FLUSH_FIRST_DELAY_MS - 1);
      // The spool goes through; the answer to the closing event is lost.
      const append = log.append.bind(log);
      let calls = 0;
      jest.spyOn(log, 'append').mockImplementation((events) => {
        if (++calls === 2) log.storeThenFail = away();
        return append(events);
      });
      await after(1);
      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'database.available']);

      await after(2 * FLUSH_FIRST_DELAY_MS);

      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'database.available']);
      expect(store.writeStatus()).toMatchObject({ status: 'ok', spooled: 0 });
    });

    it('beyond SM_EVENT_SPOOL_MAX_EVENTS drops and counts new events, says so once, and reports it once back', async () => {
      await newStore({ SM_EVENT_SPOOL_MAX_EVENTS: '100' });
      const errors = jest.mocked(Logger.prototype.error);
      errors.mockClear();
      log.failAppends = away();

      for (let n = 1; n <= 150; n++) await store.record([completed(n)]);

      // database.unavailable and the first 99 facts fit; the last 51 do not.
      expect(store.writeStatus()).toMatchObject({ status: 'unavailable', spooled: 100, dropped: 51 });
      expect(errors.mock.calls.filter(([message]) => /Event spool full/.test(String(message)))).toHaveLength(1);

      log.failAppends = undefined;
      await after(FLUSH_FIRST_DELAY_MS);

      expect(written(log)).toEqual(['database.unavailable', ...Array.from({ length: 99 }, (_, i) => `cleanup.completed#${i + 1}`), 'database.available']);
      expect(log.events.at(-1)!.payload).toMatchObject({ spooled: 100, dropped: 51 });
      expect(store.writeStatus()).toMatchObject({ status: 'ok', spooled: 0, dropped: 51 }); // the metric counts since start

      // A second outage reports only its own drops, and warns again.
      log.failAppends = away();
      for (let n = 200; n <= 300; n++) await store.record([completed(n)]);
      log.failAppends = undefined;
      await after(FLUSH_FIRST_DELAY_MS);
      expect(log.events.at(-1)!.payload).toMatchObject({ spooled: 100, dropped: 2 });
      expect(errors.mock.calls.filter(([message]) => /Event spool full/.test(String(message)))).toHaveLength(2);
      expect(store.writeStatus()).toMatchObject({ dropped: 53 });
    });

    it('keeps the order of facts recorded before the outage began but still waiting behind a write', async () => {
      const first = log.holdAppend(); // completed(1) is being written when the database goes away
      const flushing = log.holdAppend(); // the write a decision tries once it is away
      const one = store.record([completed(1)]);
      await first.reached;
      const decision = store.transact(() => ({ events: [created('/rec')], result: 'ok' }));
      const two = store.record([completed(2)]); // waits behind the decision
      log.failAppends = away();
      first.release();
      await flushing.reached; // the outage has begun; the decision's flush is still waiting for an answer

      const three = store.record([completed(3)]);
      flushing.release();
      await expect(decision).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await Promise.all([one, two, three]);

      log.failAppends = undefined;
      await after(FLUSH_FIRST_DELAY_MS);
      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'cleanup.completed#2', 'cleanup.completed#3', 'database.available']);
    });

    it('a decision during the outage is refused with DatabaseUnavailableError and nothing of it is applied or written later', async () => {
      log.failAppends = away();
      await store.record([completed(1)]);
      const decide = jest.fn(() => ({ events: [created('/rec')], result: 'ok' }));

      const refused = store.transact(decide);

      await expect(refused).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(refused).rejects.toThrow(/cannot be written \(.*ECONNREFUSED.*\); the request was not applied/);
      expect(decide).not.toHaveBeenCalled();
      expect(store.current.registrations).toEqual({});

      log.failAppends = undefined;
      await after(FLUSH_FIRST_DELAY_MS);
      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'database.available']);
      expect(store.current.registrations).toEqual({});
    });

    it('a decision whose own commit finds the database away starts the outage, is refused, and is not spooled', async () => {
      log.failAppends = away();

      await expect(store.transact(() => ({ events: [created('/rec')], result: 'ok' }), { request: true })).rejects.toBeInstanceOf(DatabaseUnavailableError);

      expect(store.writeStatus()).toMatchObject({ status: 'unavailable', spooled: 1 });
      await store.record([completed(1)]);
      log.failAppends = undefined;
      await after(FLUSH_FIRST_DELAY_MS);
      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'database.available']);
      expect(store.current.registrations).toEqual({});
      // Once back, decisions go through again.
      await expect(store.transact(() => ({ events: [created('/rec')], result: 'ok' }), { request: true })).resolves.toBe('ok');
      expect(Object.keys(store.current.registrations)).toEqual(['cam:/rec']);
    });

    it('a decision made once the database is back, before the flush timer fires, writes the spool first and goes through', async () => {
      log.failAppends = away();
      await store.record([completed(1)]);
      log.failAppends = undefined;

      await expect(store.transact(() => ({ events: [created('/rec')], result: 'ok' }))).resolves.toBe('ok');

      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'database.available', 'registration.created']);
    });

    it(`tries again after ${FLUSH_FIRST_DELAY_MS} ms, doubling up to ${FLUSH_MAX_DELAY_MS / 1000} s while the database stays away`, async () => {
      const tries: number[] = [];
      const append = log.append.bind(log);
      jest.spyOn(log, 'append').mockImplementation((events) => {
        tries.push(jest.now());
        return append(events);
      });
      log.failAppends = away();
      const start = jest.now();
      await store.record([completed(1)]);

      for (let elapsed = 0; elapsed < 200_000; elapsed += 250) await after(250);

      const gaps = tries.map((t, i) => t - (i === 0 ? start : tries[i - 1]!));
      expect(gaps.slice(0, 10)).toEqual([0, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
      expect(gaps.slice(7).every((gap) => gap === FLUSH_MAX_DELAY_MS)).toBe(true);

      // Back: written at the next try, at most FLUSH_MAX_DELAY_MS later.
      log.failAppends = undefined;
      const back = jest.now();
      while (store.writeStatus().status !== 'ok') await after(250);
      expect(jest.now() - back).toBeLessThanOrEqual(FLUSH_MAX_DELAY_MS);
      expect(written(log)).toEqual(['database.unavailable', 'cleanup.completed#1', 'database.available']);
    });
  });

  describe("manager's disk full", () => {
    /** The log fails for lack of space while the disk has less than the floor left (as SQLite on a full disk). */
    function logOnDisk(): void {
      const append = log.append.bind(log);
      jest.spyOn(log, 'append').mockImplementation((events) => (disk.available < FULL_FLOOR_BYTES ? Promise.reject(noSpace()) : append(events)));
    }

    beforeEach(async () => {
      disk.available = 40 * MiB;
      await newStore({ SM_STATE_RESERVE_MB: '32' });
      await store.onModuleInit(); // creates the reserve, records the start
      if (disk.reserve !== 32 * MiB) throw new Error(`no reserve created: ${disk.reserve}`);
      logOnDisk();
    });

    it('releases the reserve and records state.disk_full before the facts; a request then gets 507 naming the directory', async () => {
      disk.available = 0; // an app filled the disk

      const records = await store.record([completed(1), completed(2)]);

      expect(disk.reserve).toBe(0);
      expect(disk.available).toBe(32 * MiB);
      expect(records.map((r) => r.type)).toEqual(['state.disk_full', 'cleanup.completed', 'cleanup.completed']);
      expect(written(log)).toEqual(['service.started', 'state.disk_full', 'cleanup.completed#1', 'cleanup.completed#2']);
      expect(log.events[1]!.payload).toEqual({ path: '/data', available_bytes: 32 * MiB, reserve_bytes: 32 * MiB, error: noSpace().message });
      expect(store.writeStatus().status).toBe('ok'); // the released room takes the facts: nothing spooled
      expect(stateDisk.status()).toMatchObject({ full: true, reserve_bytes: 0 });

      const decide = jest.fn(() => ({ events: [created('/rec')], result: 'ok' }));
      const refused = store.transact(decide, { request: true });
      await expect(refused).rejects.toBeInstanceOf(InsufficientStorageError);
      await expect(refused).rejects.toThrow(/own disk is full: \/data has 33\.6 MB free/);
      expect(decide).not.toHaveBeenCalled();
      expect(store.current.registrations).toEqual({});

      // Facts still go in.
      await store.record([completed(3)]);
      expect(written(log).at(-1)).toBe('cleanup.completed#3');
    });

    it('re-creates the reserve and records state.disk_recovered once space returns; requests go through again', async () => {
      scheduler.start();
      disk.available = 0;
      await store.record([completed(1)]);
      clock.advance(60_000);

      disk.available = 2 * 1024 * MiB; // space returns
      // The first check re-creates the reserve, the next records the recovery.
      for (let i = 0; i < 3; i++) await after(DISK_CHECK_SECONDS * 1000);

      expect(disk.reserve).toBe(32 * MiB);
      expect(stateDisk.full).toBe(false);
      const recovered = log.events.filter((e) => e.type === 'state.disk_recovered');
      expect(recovered.map((e) => e.payload)).toEqual([{ path: '/data', available_bytes: 2 * 1024 * MiB - 32 * MiB, full_seconds: 60 + DISK_CHECK_SECONDS }]);
      expect(written(log)).toEqual(['service.started', 'state.disk_full', 'cleanup.completed#1', 'state.disk_recovered']);

      await expect(store.transact(() => ({ events: [created('/rec')], result: 'ok' }), { request: true })).resolves.toBe('ok');
    });

    it('when even the released room is not enough, the facts are spooled behind state.disk_full and decisions get 507', async () => {
      disk.available = 0;
      disk.reserve = 0; // no reserve to release (deleted by hand, or SM_STATE_RESERVE_MB=0)

      await store.record([completed(1)]);

      expect(store.writeStatus()).toMatchObject({ status: 'full', spooled: 3 });
      await expect(store.transact(() => ({ events: [created('/rec')], result: 'ok' }))).rejects.toBeInstanceOf(InsufficientStorageError);

      disk.available = 2 * 1024 * MiB;
      await after(FLUSH_FIRST_DELAY_MS);
      expect(written(log)).toEqual(['service.started', 'database.unavailable', 'state.disk_full', 'cleanup.completed#1', 'database.available']);
    });
  });
});
