import { afterEach, describe, expect, it } from '@jest/globals';
import { CleanupWorld } from '../../test/fakes/cleanup-world.js';

/**
 * Drift is what a sweep finds the incremental tally wrong by. A write whose watch event is still in the coalescing
 * window when the sweep's scan runs was seen by both sides: it is not drift (the soak benchmark's sweeps kept landing
 * on writes and reported each one).
 */
describe('drift at a sweep', () => {
  let world: CleanupWorld;

  afterEach(async () => {
    await world.close();
  });

  it('is 0 for a write whose event waits in the coalescing window when the sweep scans', async () => {
    world = new CleanupWorld();
    world.disk.mkdir(world.path('/rec'));
    world.disk.write(world.path('/rec/a.mp4'), { size: 100 });
    await world.start();
    const registration = await world.register('/rec', 'max_size', { max_bytes: 1_000_000 });
    // Written just before the sweep: its event is delivered, not yet applied (the window has not closed).
    world.disk.write(world.path('/rec/b.mp4'), { size: 1_000_000 });
    const result = await world.measuring.rescan(registration);
    await world.store.drain();
    expect(result?.drift ?? { bytes: 0, files: 0 }).toEqual({ bytes: 0, files: 0 });
    expect(world.events('usage.drift')).toEqual([]);
    expect(world.measuring.monitor(registration.id)?.tally).toMatchObject({ files: 2, bytes: 1_000_100 });
  });

  it('still reports a change the watcher never told of', async () => {
    world = new CleanupWorld();
    world.disk.mkdir(world.path('/rec'));
    await world.start();
    const registration = await world.register('/rec', 'max_size', { max_bytes: 1_000_000 });
    world.disk.unnoticed(() => world.disk.write(world.path('/rec/hidden.mp4'), { size: 700 }));
    await world.measuring.rescan(registration);
    await world.store.drain();
    expect(world.events('usage.drift').map((e) => [e.payload.bytes, e.payload.files])).toEqual([[700, 1]]);
  });
});
