import { afterEach, describe, expect, it } from '@jest/globals';
import { CleanupWorld } from '../../test/fakes/cleanup-world.js';
import { alertIntents } from '../alerts/alert-rules.js';

describe('watch problems of a target', () => {
  let world: CleanupWorld;

  afterEach(async () => {
    await world.close();
  });

  it('records one watch_failed when watching cannot start, and watch_recovered after a clean sweep once it can', async () => {
    world = new CleanupWorld();
    world.disk.mkdir(world.path('/rec'));
    world.watcher.failWith = new Error('inotify watch limit reached');
    await world.start();
    const registration = await world.register('/rec', 'max_size', { max_bytes: 1000 });
    await world.store.drain();
    expect(world.events('target.watch_failed').map((e) => e.payload.error)).toEqual(['inotify watch limit reached']);
    expect(world.measuring.monitor(registration.id)?.stats.watching).toBe(false);

    // Still failing at the next sweep: no second event, still open.
    await world.measuring.rescan(registration);
    await world.store.drain();
    expect(world.events('target.watch_failed')).toHaveLength(1);
    expect(world.events('target.watch_recovered')).toHaveLength(0);

    // Watched again at the next sweep, with no error since the previous one: the spell ends, once.
    world.watcher.failWith = undefined;
    await world.measuring.rescan(registration);
    await world.measuring.rescan(registration);
    expect(world.events('target.watch_recovered')).toHaveLength(1);
    expect(world.measuring.monitor(registration.id)?.stats.watching).toBe(true);
    expect(world.store.current.targets['cam:/rec']?.watch_problem ?? null).toBeNull();
  });

  it('a watcher error on a watched target opens a spell; the alert rules raise and resolve watcher_error', async () => {
    world = new CleanupWorld();
    world.disk.mkdir(world.path('/rec'));
    await world.start();
    const registration = await world.register('/rec', 'max_size', { max_bytes: 1000 });
    world.watcher.reportError(world.path('/rec'), new Error('event queue overflowed'));
    world.watcher.reportError(world.path('/rec'), new Error('event queue overflowed again'));
    await world.store.drain();
    const failed = world.events('target.watch_failed');
    expect(failed.map((e) => e.payload.error)).toEqual(['event queue overflowed']);
    expect(alertIntents(failed[0]!)).toEqual([expect.objectContaining({ action: 'raise', kind: 'watcher_error', tier: 'warning', scope: 'target:cam:/rec' })]);
    await world.measuring.rescan(registration);
    await world.measuring.rescan(registration);
    const recovered = world.events('target.watch_recovered');
    expect(recovered).toHaveLength(1);
    expect(alertIntents(recovered[0]!)).toEqual([expect.objectContaining({ action: 'resolve', kind: 'watcher_error', tier: 'warning' })]);
  });
});
