import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ScriptedEventLog } from '../../test/fakes/scripted-event-log.js';
import { FixedClock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { parseConfig, type AppConfig } from '../config/app-config.js';
import type { EventRecord, NewEvent } from '../event-log/event.types.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { STATE_VERSION, targetKey, type Registration } from './state.model.js';
import { COMPACTION_INTERVAL_SECONDS, EVENTS_COMMITTED, StateStore } from './state.store.js';
import { SnapshotVersionError, type StateV1 } from './state.upcasters.js';
import { roomyStateDisk } from '../../test/fakes/in-memory-state-disk.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

function registration(path: string): Registration {
  return {
    id: `reg-${path}`,
    volume_name: 'cam',
    path,
    algorithm: 'keep_n_latest',
    params: { keep_count: 3 },
    description: null,
    source: 'api',
    owner: null,
    status: 'active',
    quarantine: null,
    created_at: T0.toISOString(),
    updated_at: T0.toISOString(),
  };
}

const created = (path: string): NewEvent => ({ type: 'registration.created', target: targetKey('cam', path), payload: { registration: registration(path) } });
const maintenance = (enabled: boolean): NewEvent =>
  enabled ? { type: 'maintenance.enabled', payload: { reason: 'disk swap' } } : { type: 'maintenance.disabled', payload: { reason: null } };

describe('StateStore', () => {
  let clock: FixedClock;
  let log: ScriptedEventLog;
  let bus: EventBus;
  let scheduler: SchedulerService;
  let config: AppConfig;
  let store: StateStore;

  function newStore(): StateStore {
    return new StateStore(log, clock, config, bus, scheduler, roomyStateDisk(clock, config));
  }

  beforeEach(async () => {
    clock = new FixedClock(T0);
    log = new ScriptedEventLog(clock);
    bus = new EventBus();
    scheduler = new SchedulerService(clock);
    config = parseConfig({ SM_SNAPSHOT_EVERY_EVENTS: '10', SM_EVENT_RETENTION_DAYS: '30' }, { cwd: '/srv' });
    store = newStore();
    await store.load();
  });

  afterEach(async () => {
    await scheduler.stop();
    jest.useRealTimers();
  });

  describe('transactions', () => {
    it('commits before applying: the state and EVENTS_COMMITTED change only once the log holds the events', async () => {
      const published: Array<{ types: string[]; enabledThen: boolean; inLog: number }> = [];
      bus.on(EVENTS_COMMITTED, (events) => {
        published.push({ types: events.map((e) => e.type), enabledThen: store.current.maintenance.enabled, inLog: log.events.length });
      });
      const held = log.holdAppend();

      const decided = store.transact((state) => ({ events: [maintenance(true)], result: state.maintenance.enabled }));
      await held.reached;

      expect(store.current.maintenance.enabled).toBe(false);
      expect(published).toEqual([]);

      held.release();

      await expect(decided).resolves.toBe(false); // the result is computed from the state it decided on
      expect(store.current.maintenance).toEqual({ enabled: true, reason: 'disk swap', since: T0.toISOString() });
      expect(published).toEqual([{ types: ['maintenance.enabled'], enabledThen: true, inLog: 1 }]);
    });

    it('a commit that fails changes nothing, publishes nothing, and reaches the caller; the next one works', async () => {
      const published: Array<readonly EventRecord[]> = [];
      bus.on(EVENTS_COMMITTED, (events) => void published.push(events));
      log.failAppends = new Error('SQLITE_FULL: database or disk is full');

      await expect(store.transact(() => ({ events: [created('/rec')], result: 'ok' }))).rejects.toThrow(/disk is full/);

      expect(store.current.registrations).toEqual({});
      expect(published).toEqual([]);

      log.failAppends = undefined;
      await expect(store.transact(() => ({ events: [created('/rec')], result: 'ok' }))).resolves.toBe('ok');
      expect(Object.keys(store.current.registrations)).toEqual(['cam:/rec']);
      expect(published).toHaveLength(1);
    });

    it('serialises decisions: each sees what the one before it committed', async () => {
      const toggle = (): Promise<boolean> =>
        store.transact((state) => ({ events: [maintenance(!state.maintenance.enabled)], result: state.maintenance.enabled }));

      const seen = await Promise.all([toggle(), toggle(), toggle(), toggle(), toggle()]);

      expect(seen).toEqual([false, true, false, true, false]);
      expect(log.events.map((e) => e.type)).toEqual(['maintenance.enabled', 'maintenance.disabled', 'maintenance.enabled', 'maintenance.disabled', 'maintenance.enabled']);
      expect(store.current.maintenance.enabled).toBe(true);
    });
  });

  describe('snapshots', () => {
    it('writes one every SM_SNAPSHOT_EVERY_EVENTS (10) events, holding the state as of its seq', async () => {
      for (let i = 0; i < 9; i++) await store.record([created(`/p${i}`)]);
      expect(log.snapshots).toEqual([]);

      await store.record([created('/p9')]);
      expect(log.snapshots.map((s) => [s.seq, s.version])).toEqual([[10, STATE_VERSION]]);
      expect(log.snapshots[0]!.state).toEqual(JSON.parse(JSON.stringify(store.current)));

      for (let i = 10; i < 19; i++) await store.record([created(`/p${i}`)]);
      expect(log.snapshots).toHaveLength(1);
      await store.record([maintenance(true)]);
      expect(log.snapshots.map((s) => s.seq)).toEqual([10, 20]);
    });

    it('a snapshot that fails does not fail the commit, and is retried with the next one', async () => {
      log.failSnapshots = new Error('snapshot write failed');
      for (let i = 0; i < 10; i++) await store.record([created(`/p${i}`)]);
      expect(log.events).toHaveLength(10);
      expect(log.snapshots).toEqual([]);

      log.failSnapshots = undefined;
      await store.record([maintenance(true)]);
      expect(log.snapshots.map((s) => s.seq)).toEqual([11]);
    });
  });

  describe('compaction', () => {
    it('drops events a snapshot covers once they are older than SM_EVENT_RETENTION_DAYS, and records that it did', async () => {
      for (let i = 0; i < 5; i++) await store.record([created(`/old${i}`)]);
      clock.advance(29 * DAY);
      await store.record([maintenance(true)]);
      clock.advance(2 * DAY); // now 31 days after the first five, 2 after the sixth
      await store.record([created('/new')]);

      const dropped = await store.compact();

      expect(dropped).toBe(5);
      expect(log.events.map((e) => [e.seq, e.type])).toEqual([
        [6, 'maintenance.enabled'],
        [7, 'registration.created'],
        [8, 'log.compacted'],
      ]);
      expect(log.events.at(-1)!.payload).toEqual({ dropped: 5, covered_seq: 7, before: new Date(T0.getTime() + DAY).toISOString() });

      // Nothing is lost: after a restart the state is rebuilt from the snapshot and what is left.
      const restarted = newStore();
      await expect(restarted.load()).resolves.toEqual({ snapshotSeq: 7, replayed: 1 });
      expect(restarted.current).toEqual(store.current);
      expect(Object.keys(restarted.current.registrations)).toHaveLength(6);
    });

    it('keeps everything younger than the retention period, and then records no compaction', async () => {
      for (let i = 0; i < 5; i++) await store.record([created(`/p${i}`)]);
      clock.advance(30 * DAY - 1);

      await expect(store.compact()).resolves.toBe(0);
      expect(log.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it(`runs every ${COMPACTION_INTERVAL_SECONDS} s on the scheduler once started, after recording the start`, async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'performance', 'hrtime', 'Date'] });
      store = newStore();
      await store.onModuleInit();
      expect(log.events.map((e) => e.type)).toEqual(['service.started']);
      for (let i = 0; i < 3; i++) await store.record([created(`/p${i}`)]);
      scheduler.start();
      clock.advance(31 * DAY);

      await jest.advanceTimersByTimeAsync(COMPACTION_INTERVAL_SECONDS * 1000 - 1);
      expect(log.events.some((e) => e.type === 'log.compacted')).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await store.drain();

      expect(log.events.map((e) => e.type)).toEqual(['log.compacted']);
      expect(scheduler.status().filter((job) => job.name === 'event-log-compaction')).toEqual([
        expect.objectContaining({ name: 'event-log-compaction', runs: 1, last_error: null }),
      ]);
    });
  });

  describe('loading', () => {
    it('rebuilds the same state after a restart, from the latest snapshot and the events after it', async () => {
      await store.record([created('/a'), created('/b'), created('/c')]);
      await store.record([{ type: 'cleanup.completed', target: 'cam:/a', payload: { id: 'reg-/a', trigger: 'sweep', dry_run: false, files: 2, bytes: 20, skipped: 0, errors: 0, duration_ms: 1, first_paths: ['x', 'y'] } }]);
      await store.record([{ type: 'target.blocked', target: 'cam:/b', payload: { id: 'reg-/b', reason: 'too young', over_by: 5, unit: 'files' } }]);
      await store.record([{ type: 'quarantine.entered', target: 'cam:/c', payload: { id: 'reg-/c', reason: 'root vanished' } }]);
      await store.record([{ type: 'cleanup.failed', target: 'cam:/b', payload: { id: 'reg-/b', trigger: 'threshold', error: 'EACCES' } }]);
      await store.record([maintenance(true), { type: 'registration.removed', target: 'cam:/b', payload: { id: 'reg-/b', volume_name: 'cam', path: '/b', reason: 'api' } }]);
      await store.record([created('/d'), created('/e')]);
      await store.record([created('/f'), created('/g')]); // seq 13: a snapshot was taken at seq 11
      expect(log.snapshots.map((s) => s.seq)).toEqual([11]);

      const restarted = newStore();

      await expect(restarted.load()).resolves.toEqual({ snapshotSeq: 11, replayed: 2 });
      expect(restarted.current).toEqual(store.current);
      expect(Object.keys(restarted.current.registrations).sort()).toEqual(['cam:/a', 'cam:/c', 'cam:/d', 'cam:/e', 'cam:/f', 'cam:/g']);
      expect(restarted.current.registrations['cam:/c']!.quarantine).toEqual({ since: T0.toISOString(), reason: 'root vanished' });
      expect(restarted.current.targets).toEqual({
        'cam:/a': { last_cleanup: { at: T0.toISOString(), trigger: 'sweep', files_removed: 2, bytes_freed: 20 }, failures: 0, blocked: null, tier: 'ok', tier_since: null },
      });
    });

    it('upcasts a snapshot of an older state version (v1) rather than ignoring it', async () => {
      const reg = registration('/rec');
      await store.record([created('/ignored-1'), created('/ignored-2')]); // covered by the snapshot below
      const v1: StateV1 = {
        registrations: { 'cam:/rec': reg },
        maintenance: { enabled: true, reason: 'moving disks', since: T0.toISOString() },
        cleanups: { 'cam:/rec': { at: T0.toISOString(), trigger: 'sweep', files_removed: 4, bytes_freed: 400 } },
        failures: { 'cam:/rec': 1 },
        blocked: {},
      };
      await log.appendSnapshot(2, 1, v1);
      await log.append([{ type: 'cleanup.failed', target: 'cam:/rec', payload: { id: reg.id, trigger: 'sweep', error: 'EIO' } }]);

      const restarted = newStore();

      await expect(restarted.load()).resolves.toEqual({ snapshotSeq: 2, replayed: 1 });
      expect(restarted.current).toEqual({
        registrations: { 'cam:/rec': reg },
        maintenance: v1.maintenance,
        targets: { 'cam:/rec': { last_cleanup: v1.cleanups['cam:/rec'], failures: 2, blocked: null, tier: 'ok', tier_since: null } },
        filesystems: {},
        alerts: { active: {}, lastSent: {}, outbox: {}, failingChannels: {} },
        forecasts: {},
      });
    });

    it('refuses to start from a snapshot of a newer state version, recording nothing', async () => {
      await store.record([created('/rec')]);
      await log.appendSnapshot(1, STATE_VERSION + 1, { somethingNew: true });

      const restarted = newStore();

      await expect(restarted.onModuleInit()).rejects.toBeInstanceOf(SnapshotVersionError);
      await expect(restarted.load()).rejects.toThrow(/written by a newer release/);
      expect(() => restarted.current).toThrow(/before load/);
      expect(log.events.map((e) => e.type)).toEqual(['registration.created']);
    });
  });

  it('records the stop and snapshots the final state at shutdown', async () => {
    await store.record([created('/rec')]);

    await store.onApplicationShutdown('SIGTERM');

    expect(log.events.map((e) => [e.seq, e.type, e.payload])).toEqual([
      [1, 'registration.created', expect.anything()],
      [2, 'service.stopped', { reason: 'SIGTERM' }],
    ]);
    expect(log.snapshots.map((s) => s.seq)).toEqual([2]);
  });
});
