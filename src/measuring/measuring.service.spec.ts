import { afterEach, describe, expect, it } from '@jest/globals';
import { CleanupWorld, T0 } from '../../test/fakes/cleanup-world.js';
import type { Registration } from '../state/state.model.js';

describe('measuring readiness (health: all targets scanned and watched)', () => {
  let world: CleanupWorld;

  afterEach(async () => {
    await world.close();
  });

  it('counts a target ready once its first scan is done and it is watched, and says since when all are', async () => {
    world = new CleanupWorld();
    for (const target of ['/a', '/b']) world.disk.write(world.path(`${target}/f`), { size: 10, ageMs: 0 });
    await world.start();
    expect(world.measuring.readiness()).toEqual({ targets: 0, ready: 0, all_ready_at: T0.toISOString() });

    const release = world.reader.holdScans();
    const registered = Promise.all([world.register('/a', 'max_size', { max_bytes: 1000 }), world.register('/b', 'max_size', { max_bytes: 1000 })]);
    await world.store.drain();
    await world.measuring.sync();
    expect(world.measuring.readiness()).toEqual({ targets: 2, ready: 0, all_ready_at: null });
    expect(world.measuring.status().map((s) => s.ready)).toEqual([false, false]);

    world.clock.advance(5000);
    release();
    await registered;
    expect(world.measuring.readiness()).toEqual({ targets: 2, ready: 2, all_ready_at: new Date(T0.getTime() + 5000).toISOString() });
    expect(world.measuring.status().map((s) => [s.ready, s.watching])).toEqual([
      [true, true],
      [true, true],
    ]);

    // One more target: not all ready until its first scan is done.
    const releaseAgain = world.reader.holdScans();
    const third = world.register('/c', 'max_size', { max_bytes: 1000 });
    await world.store.drain();
    await world.measuring.sync();
    expect(world.measuring.readiness()).toEqual({ targets: 3, ready: 2, all_ready_at: null });
    world.clock.advance(1000);
    releaseAgain();
    await third;
    expect(world.measuring.readiness()).toEqual({ targets: 3, ready: 3, all_ready_at: new Date(T0.getTime() + 6000).toISOString() });

    // A target that goes leaves the count.
    await world.store.record([{ type: 'registration.removed', target: 'cam:/a', payload: { id: 'reg-/a', volume_name: 'cam', path: '/a', reason: 'api' } }]);
    await world.measuring.sync();
    expect(world.measuring.readiness()).toEqual({ targets: 2, ready: 2, all_ready_at: new Date(T0.getTime() + 6000).toISOString() });
  });

  it('a cleanup of one target does not wait while another registration change is taken in (its volume lookup is slow)', async () => {
    world = new CleanupWorld();
    world.catalog.add('big');
    world.disk.write(world.path('/a/old'), { size: 100, ageMs: 3_600_000 });
    world.disk.write('/volumes/big/rec/f', { size: 10, ageMs: 0 });
    await world.start();
    const quiet = await world.register('/a', 'max_size', { max_bytes: 1000 });
    const big = await world.register('/rec', 'max_size', { max_bytes: 1000 }, { id: 'reg-big', volume_name: 'big' });
    await world.cleanup.drain();

    // The neighbour's registration changes; measuring takes it in, and its volume's lookup hangs.
    const release = world.catalog.holdLookups('big');
    await world.store.record([{ type: 'registration.updated', target: 'big:/rec', payload: { registration: { ...big, params: { max_bytes: 500 } } } }]);

    const report = await world.cleanup.request({ ...quiet, params: { max_bytes: 0, min_age_seconds: 0 } }, 'manual');
    expect([report.status, report.files]).toEqual(['done', 1]);
    expect(world.disk.files(world.path('/a'))).toEqual([]);
    release();
    await world.measuring.sync();
  });

  it('starts the monitors of a thousand-target start-up in slices of the event loop, not in one stretch of it', async () => {
    world = new CleanupWorld();
    const targets = Array.from({ length: 20 }, (_, t) => `/t${t}`);
    for (const target of targets) world.disk.write(world.path(`${target}/f`), { size: 1, ageMs: 0 });
    await world.start();
    // Setting up a real watch lists the root at once: here each costs 2 ms of the thread.
    const watch = world.watcher.watch.bind(world.watcher);
    let watches = 0;
    world.watcher.watch = (...args) => {
      for (const until = performance.now() + 2; performance.now() < until; );
      watches++;
      return watch(...args);
    };
    const at = T0.toISOString();
    const registration = (target: string): Registration => ({
      id: `reg-${target}`, volume_name: 'cam', path: target, algorithm: 'max_size', params: { max_bytes: 1000 }, description: null,
      source: 'import', owner: null, status: 'active', quarantine: null, created_at: at, updated_at: at,
    });

    await world.store.record(targets.map((target) => ({ type: 'registration.created', target: `cam:${target}`, payload: { registration: registration(target) } })));
    let watchesWhenLetIn = -1;
    setImmediate(() => (watchesWhenLetIn = watches));
    await world.measuring.sync();

    expect(watches).toBe(20);
    expect(watchesWhenLetIn).toBeGreaterThan(0);
    expect(watchesWhenLetIn).toBeLessThan(20);
  });
});
