import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeFilesystemStats } from '../../test/fakes/fake-filesystem-stats.js';
import { FakeVolumeCatalog } from '../../test/fakes/fake-volume-catalog.js';
import { InMemoryEventLog } from '../../test/fakes/in-memory-event-log.js';
import { FixedClock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { parseConfig } from '../config/app-config.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { StateStore } from '../state/state.store.js';
import { DATA_DIR_LABEL, FilesystemSampler } from './filesystem-sampler.service.js';
import { roomyStateDisk } from '../../test/fakes/in-memory-state-disk.js';

const HOUR = 3_600_000;

describe('FilesystemSampler', () => {
  let clock: FixedClock;
  let log: InMemoryEventLog;
  let stats: FakeFilesystemStats;
  let store: StateStore;
  let sampler: FilesystemSampler;

  beforeEach(async () => {
    clock = new FixedClock(new Date('2026-03-01T00:00:00Z'));
    log = new InMemoryEventLog(clock);
    stats = new FakeFilesystemStats();
    stats.set('/srv', 500);
    stats.set('/data', 100);
    const config = parseConfig({ SM_VOLUMES_DIR: '/srv/volumes', SM_DATA_DIR: '/data/manager' }, { cwd: '/' });
    const bus = new EventBus();
    const scheduler = new SchedulerService(clock);
    store = new StateStore(log, clock, config, bus, scheduler, roomyStateDisk(clock, config));
    await store.load();
    sampler = new FilesystemSampler(stats, new FakeVolumeCatalog('/srv/volumes').add('cam').add('logs'), store, bus, scheduler, clock, config);
  });

  const types = (): string[] => log.events.map((e) => e.type);

  it('groups volumes and the data directory by filesystem, and measures each once', async () => {
    await sampler.sampleAll();
    expect(sampler.all().map((r) => [r.mountPoint, r.volumes])).toEqual([
      ['/data', [DATA_DIR_LABEL]],
      ['/srv', ['cam', 'logs']],
    ]);
    expect(sampler.ofVolume('logs')).toMatchObject({ mountPoint: '/srv', bytesRatio: 0.5, tier: 'ok' });
  });

  it('records a tier change once, in the state', async () => {
    stats.set('/srv', 910);
    await sampler.sampleAll();
    await sampler.sampleAll();
    expect(log.events.filter((e) => e.type === 'filesystem.tier_changed').map((e) => e.payload)).toEqual([
      expect.objectContaining({ mountpoint: '/srv', from: 'ok', to: 'critical', volumes: ['cam', 'logs'] }),
    ]);
    expect(store.current.filesystems['/srv']?.tier).toBe('critical');
  });

  it('warns once when the forecast says full within 24 hours, and clears it when growth stops', async () => {
    // +20 bytes an hour from 500 of 1000: full in 25 h at first, then less.
    for (let h = 0; h <= 8; h++) {
      stats.set('/srv', 500 + 20 * h);
      await sampler.sampleAll();
      clock.advance(HOUR);
    }
    const forecasts = () => log.events.filter((e) => e.type === 'filesystem.forecast_changed').map((e) => e.payload);
    expect(forecasts()).toEqual([expect.objectContaining({ mountpoint: '/srv', full_within_24h: true })]);
    expect(store.current.forecasts['/srv']).toBeDefined();
    // Flat for a day: no growth, the warning is cleared once.
    for (let h = 0; h < 24; h++) {
      await sampler.sampleAll();
      clock.advance(HOUR);
    }
    expect(forecasts().map((f) => f.full_within_24h)).toEqual([true, false]);
    expect(types().filter((t) => t === 'filesystem.forecast_changed')).toHaveLength(2);
  });
});
