import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FakeDockerEngine } from '../../test/fakes/fake-docker-engine.js';
import { InMemoryEventLog } from '../../test/fakes/in-memory-event-log.js';
import { FixedClock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { parseConfig, type AppConfig } from '../config/app-config.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { StateStore } from '../state/state.store.js';
import { CompositeVolumeCatalog } from './composite-volume.catalog.js';
import { DOCKER_SNAPSHOT, DockerEngineWatch, EVENT_MAX_WAIT_MS, RECONNECT_BASE_MS, RECONNECT_CAP_MS } from './docker-engine-watch.service.js';
import { DockerVolumeCatalog } from './docker-volume.catalog.js';
import { StandaloneVolumeCatalog } from './standalone-volume.catalog.js';
import { VOLUMES_CHANGED } from './volume-catalog.js';
import { VolumeDirectories, type DirectoryEntryInfo } from './volume-directories.port.js';
import { roomyStateDisk } from '../../test/fakes/in-memory-state-disk.js';

/** Standalone directories that exist because a spec says so. */
class Dirs extends VolumeDirectories {
  readonly dirs = new Map<string, Date>();
  async listSubdirectories(dir: string): Promise<DirectoryEntryInfo[]> {
    return [...this.dirs].filter(([p]) => p.startsWith(`${dir}/`)).map(([p, createdAt]) => ({ name: p.slice(dir.length + 1), createdAt }));
  }
  async directoryCreatedAt(dir: string): Promise<Date | undefined> {
    return this.dirs.get(dir);
  }
  async ensureDirectory(): Promise<boolean> {
    return false;
  }
}

describe('DockerEngineWatch', () => {
  let clock: FixedClock;
  let log: InMemoryEventLog;
  let engine: FakeDockerEngine;
  let bus: EventBus;
  let config: AppConfig;
  let watch: DockerEngineWatch;
  let catalog: CompositeVolumeCatalog;
  let dirs: Dirs;
  let snapshots: string[];
  let volumeChanges: number;

  const types = (): string[] => log.events.map((e) => e.type).filter((t) => t.startsWith('docker.'));
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await jest.advanceTimersByTimeAsync(ms);
  };

  beforeEach(async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'performance', 'hrtime', 'Date'] });
    clock = new FixedClock(new Date('2026-03-01T12:00:00Z'));
    log = new InMemoryEventLog(clock);
    engine = new FakeDockerEngine().addVolume('cams', { labels: { team: 'video' } }).addVolume('nfs-share', { driver: 'nfs-plugin', mountpoint: '' });
    engine.addContainer('camera-app', { volumes: ['cams'] });
    config = parseConfig({ SM_DOCKER_HOST: 'unix:///var/run/docker.sock', SM_HOST_ROOT: '/host', SM_VOLUMES_DIR: '/srv/volumes', SM_DATA_DIR: '/srv/data' }, { cwd: '/' });
    bus = new EventBus();
    const scheduler = new SchedulerService(clock);
    const store = new StateStore(log, clock, config, bus, scheduler, roomyStateDisk(clock, config));
    await store.load();
    watch = new DockerEngineWatch(engine, store, bus, scheduler, clock, config);
    dirs = new Dirs();
    catalog = new CompositeVolumeCatalog(new StandaloneVolumeCatalog(dirs, config), new DockerVolumeCatalog(watch, engine, config));
    snapshots = [];
    volumeChanges = 0;
    bus.on(DOCKER_SNAPSHOT, ({ reason }) => void snapshots.push(reason));
    bus.on(VOLUMES_CHANGED, () => void volumeChanges++);
  });

  afterEach(() => {
    watch.onModuleDestroy();
    jest.useRealTimers();
  });

  it('connects at start: the event stream first, then one listing; the Engine reachable is an event', async () => {
    await watch.onApplicationBootstrap();
    expect(engine.calls.slice(0, 4)).toEqual(['version', 'subscribe', 'listVolumes', 'listContainers']);
    expect(snapshots).toEqual(['connected']);
    expect(volumeChanges).toBe(1);
    expect(types()).toEqual(['docker.reachable']);
    expect(watch.status()).toMatchObject({ status: 'up', events: true, volumes: 2, containers: 1, version: '20.10.24', api_version: '1.41', host: 'unix:///var/run/docker.sock' });
  });

  it('lists Docker volumes with SM_HOST_ROOT prefixed, their containers and labels; a driver without a local mountpoint is unmanageable', async () => {
    await watch.onApplicationBootstrap();
    const [cams, nfs] = await catalog.list();
    expect(cams).toMatchObject({ name: 'cams', root: '/host/var/lib/docker/volumes/cams/_data', source: 'docker', containers: ['camera-app'], labels: { team: 'video' }, manageable: true });
    expect(nfs).toMatchObject({ name: 'nfs-share', manageable: false, unmanageableReason: 'driver "nfs-plugin" keeps no data at a local mountpoint' });
  });

  it('coalesces a burst of container events into one listing', async () => {
    await watch.onApplicationBootstrap();
    const before = engine.calls.filter((c) => c === 'listContainers').length;
    for (let i = 0; i < 20; i++) engine.emit('container', 'create', `c${i}`);
    engine.emit('container', 'start', 'ignored');
    await advance(EVENT_MAX_WAIT_MS + 10);
    expect(engine.calls.filter((c) => c === 'listContainers').length).toBe(before + 1);
    expect(snapshots.at(-1)).toBe('container create');
  });

  it('while the Engine is away: one event, the last listing kept, lookups unknown rather than gone, reconnection with a capped backoff', async () => {
    await watch.onApplicationBootstrap();
    engine.down = true;
    await watch.refresh('interval');
    expect(types()).toEqual(['docker.reachable', 'docker.unreachable']);
    expect(watch.status()).toMatchObject({ status: 'down', events: false, last_error: 'connect ECONNREFUSED /var/run/docker.sock' });

    expect(await catalog.lookup('cams')).toMatchObject({ state: 'present', volume: { root: '/host/var/lib/docker/volumes/cams/_data' } });
    expect(await catalog.lookup('never-seen')).toEqual({ state: 'unknown', reason: 'connect ECONNREFUSED /var/run/docker.sock' });
    dirs.dirs.set('/srv/volumes/plain', new Date(0));
    expect(await catalog.lookup('plain')).toMatchObject({ state: 'present', volume: { source: 'directory' } });

    // Attempts at 0, 0.5, 1.5, 3.5, 7.5 … s: waits doubling, capped; a failure again is no new event.
    const attempts: number[] = [];
    const version = engine.version.bind(engine);
    engine.version = () => {
      attempts.push(jest.now());
      return version();
    };
    await advance(120_000);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps.slice(0, 6)).toEqual([RECONNECT_BASE_MS, 2 * RECONNECT_BASE_MS, 4 * RECONNECT_BASE_MS, 8 * RECONNECT_BASE_MS, 16 * RECONNECT_BASE_MS, 32 * RECONNECT_BASE_MS]);
    expect(Math.max(...gaps)).toBe(RECONNECT_CAP_MS);
    expect(types()).toEqual(['docker.reachable', 'docker.unreachable']);

    engine.down = false;
    await advance(RECONNECT_CAP_MS);
    expect(types()).toEqual(['docker.reachable', 'docker.unreachable', 'docker.reachable']);
    expect(log.events.at(-1)?.payload).toMatchObject({ unreachable_seconds: expect.any(Number) });
    expect(watch.status()).toMatchObject({ status: 'up', events: true, last_error: null });
    expect(await catalog.lookup('never-seen')).toEqual({ state: 'absent' });
    // For views: no question to the Engine about a name it did not list.
    const inspections = engine.calls.filter((c) => c === 'inspectVolume').length;
    expect(await catalog.lookup('never-seen', { ask: false })).toEqual({ state: 'absent' });
    expect(engine.calls.filter((c) => c === 'inspectVolume')).toHaveLength(inspections);
  });

  it('opens the event stream again when it drops while the Engine runs, and lists what it missed', async () => {
    await watch.onApplicationBootstrap();
    expect(engine.openStreams).toBe(1);
    engine.addContainer('late', { volumes: ['cams'] });
    engine.cutStreams();
    await advance(1);
    expect(engine.openStreams).toBe(1);
    expect(engine.calls.filter((c) => c === 'subscribe')).toHaveLength(2);
    expect(watch.snapshot()?.containers.map((c) => c.name)).toEqual(['camera-app', 'late']);
    expect(types()).toEqual(['docker.reachable']);
  });

  it('reads the disk-usage report in the background; the catalog gives each volume its size and when it was read', async () => {
    await watch.onApplicationBootstrap();
    engine.usage = [{ name: 'cams', bytes: 4_294_967_296 }];
    await watch.refreshUsage();
    const cams = (await catalog.list()).find((v) => v.name === 'cams');
    expect(cams?.engineUsage).toEqual({ bytes: 4_294_967_296, measuredAt: clock.now() });
    expect(watch.status().disk_usage_at).toBe(clock.now().toISOString());
  });

  it('does nothing without SM_DOCKER_HOST', async () => {
    const standalone = new DockerEngineWatch(engine, new StateStore(log, clock, parseConfig({}, { cwd: '/' }), bus, new SchedulerService(clock), roomyStateDisk(clock, parseConfig({}, { cwd: '/' }))), bus, new SchedulerService(clock), clock, parseConfig({}, { cwd: '/' }));
    await standalone.onApplicationBootstrap();
    expect(await standalone.refresh('interval')).toBe(false);
    expect(engine.calls).toEqual([]);
    expect(standalone.status()).toMatchObject({ status: 'disabled', host: null });
  });
});
