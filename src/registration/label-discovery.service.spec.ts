import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FakeDockerEngine } from '../../test/fakes/fake-docker-engine.js';
import { FakeFileSystem } from '../../test/fakes/fake-filesystem.js';
import { InMemoryEventLog } from '../../test/fakes/in-memory-event-log.js';
import { FixedClock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { parseConfig, type AppConfig } from '../config/app-config.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { StateStore } from '../state/state.store.js';
import { CompositeVolumeCatalog } from '../volumes/composite-volume.catalog.js';
import { DockerEngineWatch } from '../volumes/docker-engine-watch.service.js';
import { DockerVolumeCatalog } from '../volumes/docker-volume.catalog.js';
import { StandaloneVolumeCatalog } from '../volumes/standalone-volume.catalog.js';
import { VolumeDirectories, type DirectoryEntryInfo } from '../volumes/volume-directories.port.js';
import { LabelDiscoveryService, OWNER_GRACE_MS } from './label-discovery.service.js';
import { parseRegistration } from './registration.schema.js';
import { RegistrationService } from './registration.service.js';
import { roomyStateDisk } from '../../test/fakes/in-memory-state-disk.js';

class NoDirs extends VolumeDirectories {
  async listSubdirectories(): Promise<DirectoryEntryInfo[]> {
    return [];
  }
  async directoryCreatedAt(): Promise<Date | undefined> {
    return undefined;
  }
  async ensureDirectory(): Promise<boolean> {
    return false;
  }
}

/** A filesystem where something else happens in the middle of a registration's checks (once). */
class RacingFileSystem extends FakeFileSystem {
  meanwhile: (() => Promise<unknown>) | undefined;
  override async resolveExisting(target: string): Promise<string> {
    const race = this.meanwhile;
    this.meanwhile = undefined;
    if (race) await race();
    return path.resolve(target);
  }
}

const labels = (index: number, fields: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [`storage-manager.${index}.${k}`, v]));

describe('LabelDiscoveryService', () => {
  let clock: FixedClock;
  let log: InMemoryEventLog;
  let engine: FakeDockerEngine;
  let config: AppConfig;
  let store: StateStore;
  let watch: DockerEngineWatch;
  let fs: RacingFileSystem;
  let registrations: RegistrationService;
  let discovery: LabelDiscoveryService;

  const types = (prefix: string): string[] => log.events.map((e) => e.type).filter((t) => t.startsWith(prefix));
  const pass = async (): Promise<boolean> => {
    const listed = await watch.refresh('spec');
    await discovery.idle();
    return listed;
  };
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await jest.advanceTimersByTimeAsync(ms);
    await discovery.idle();
  };
  const owned = (): Array<[string, string | null, unknown]> => registrations.list().map((r) => [`${r.volume_name}:${r.path}`, r.owner, r.params]);

  beforeEach(async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'performance', 'hrtime', 'Date'] });
    clock = new FixedClock(new Date('2026-03-01T12:00:00Z'));
    log = new InMemoryEventLog(clock);
    engine = new FakeDockerEngine().addVolume('cams').addVolume('logs').addVolume('shm', { options: { type: 'tmpfs', device: 'tmpfs' } });
    config = parseConfig({ SM_DOCKER_HOST: 'unix:///var/run/docker.sock', SM_VOLUMES_DIR: '/srv/volumes', SM_DATA_DIR: '/srv/data' }, { cwd: '/' });
    const bus = new EventBus();
    const scheduler = new SchedulerService(clock);
    store = new StateStore(log, clock, config, bus, scheduler, roomyStateDisk(clock, config));
    await store.load();
    watch = new DockerEngineWatch(engine, store, bus, scheduler, clock, config);
    const catalog = new CompositeVolumeCatalog(new StandaloneVolumeCatalog(new NoDirs(), config), new DockerVolumeCatalog(watch, engine, config));
    fs = new RacingFileSystem();
    registrations = new RegistrationService(store, catalog, fs, clock, config);
    discovery = new LabelDiscoveryService(registrations, store, bus, clock, watch);
    discovery.onModuleInit();
  });

  afterEach(() => {
    discovery.onModuleDestroy();
    watch.onModuleDestroy();
    jest.useRealTimers();
  });

  it('registers the labels of every container at start, active, owned by the container\'s name', async () => {
    engine.addContainer('camera-app', { volumes: ['cams'], labels: labels(0, { volume: 'cams', path: '/rec', algorithm: 'max_size', max_bytes: '1000' }), state: 'exited' });
    await watch.onApplicationBootstrap();
    await discovery.idle();
    expect(registrations.list()).toEqual([
      expect.objectContaining({ ...parseRegistration({ volume_name: 'cams', path: '/rec', algorithm: 'max_size', params: { max_bytes: 1000 } }), source: 'label', owner: 'camera-app', status: 'active' }),
    ]);
    expect(discovery.lastPass).toMatchObject({ containers: 1, labelled: 1, created: 1, problems: 0 });
  });

  it('reports an invalid label, a refusal and a conflict once, however many passes see them; again once after a change', async () => {
    await registrations.upsert(parseRegistration({ volume_name: 'logs', path: '/', algorithm: 'max_size', params: { max_bytes: 5 } }));
    engine.addContainer('app', {
      volumes: ['cams', 'logs'],
      labels: {
        ...labels(0, { volume: 'cams', path: '/a', algorithm: 'max_size', max_bytes: 'lots' }),
        ...labels(1, { volume: 'elsewhere', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }),
        ...labels(2, { volume: 'logs', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }),
        ...labels(3, { volume: 'cams', path: '/b', algorithm: 'keep_n_latest', keep_count: '1' }),
      },
    });
    await watch.onApplicationBootstrap();
    for (let i = 0; i < 3; i++) expect(await pass()).toBe(true);
    expect(types('registration.label')).toEqual(['registration.label_invalid', 'registration.label_refused', 'registration.label_conflict']);
    expect(owned()).toEqual([
      ['cams:/b', 'app', { keep_count: 1 }],
      ['logs:/', null, { max_bytes: 5 }],
    ]);

    // Fixed, then broken again: reported again, once.
    const app = engine.containers[0]!;
    engine.containers[0] = { ...app, labels: labels(0, { volume: 'cams', path: '/b', algorithm: 'keep_n_latest', keep_count: '1' }) };
    await pass();
    engine.containers[0] = { ...app, labels: { ...labels(0, { volume: 'cams', path: '/b', algorithm: 'keep_n_latest', keep_count: '1' }), ...labels(1, { volume: 'cams', path: '/c', algorithm: 'max_size', max_bytes: 'lots' }) } };
    await pass();
    await pass();
    expect(types('registration.label')).toEqual(['registration.label_invalid', 'registration.label_refused', 'registration.label_conflict', 'registration.label_invalid']);
  });

  it('refuses a label on a volume that cannot be managed (a tmpfs volume), as the API refuses it', async () => {
    engine.addContainer('app', { volumes: ['shm'], labels: labels(0, { volume: 'shm', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }) });
    await watch.onApplicationBootstrap();
    await discovery.idle();
    expect(registrations.list()).toEqual([]);
    expect(log.events.find((e) => e.type === 'registration.label_refused')?.payload).toMatchObject({ container: 'app', index: '0', field: 'volume_name', reason: expect.stringMatching(/cannot be managed/) });
  });

  it('never removes anything because the Engine is away, however long; removes once it answers without the container', async () => {
    engine.addContainer('app', { volumes: ['cams'], labels: labels(0, { volume: 'cams', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }) });
    await watch.onApplicationBootstrap();
    await discovery.idle();
    expect(owned()).toEqual([['cams:/', 'app', { keep_count: 1 }]]);

    engine.down = true;
    engine.removeContainer('app');
    expect(await pass()).toBe(false);
    await advance(10 * 60_000);
    expect(owned()).toEqual([['cams:/', 'app', { keep_count: 1 }]]);
    expect(registrations.list()[0]?.status).toBe('active');
    expect(types('registration.removed')).toEqual([]);

    engine.down = false;
    await advance(60_000);
    expect(owned()).toEqual([['cams:/', 'app', { keep_count: 1 }]]);
    await advance(OWNER_GRACE_MS + 100);
    expect(owned()).toEqual([]);
    expect(log.events.find((e) => e.type === 'registration.removed')?.payload).toMatchObject({ reason: 'container app removed' });
  });

  it('updates, not re-creates, a registration whose container is removed and run again with other labels within the grace', async () => {
    engine.addContainer('app', { volumes: ['cams'], labels: labels(0, { volume: 'cams', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }) });
    await watch.onApplicationBootstrap();
    await discovery.idle();
    const id = registrations.list()[0]?.id;
    engine.removeContainer('app');
    await pass();
    engine.addContainer('app', { volumes: ['cams'], labels: labels(0, { volume: 'cams', path: '/', algorithm: 'keep_n_latest', keep_count: '7' }) });
    await pass();
    expect(registrations.list()).toEqual([expect.objectContaining({ id, owner: 'app', params: { keep_count: 7 } })]);
    expect(types('registration.')).toEqual(['registration.created', 'registration.updated']);
  });

  it('leaves a registration made through the API between the plan and its commit as it is, and reports the conflict', async () => {
    engine.addContainer('app', { volumes: ['cams'], labels: labels(0, { volume: 'cams', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }) });
    fs.meanwhile = () => registrations.upsert(parseRegistration({ volume_name: 'cams', path: '/', algorithm: 'max_size', params: { max_bytes: 9 } }));
    await watch.onApplicationBootstrap();
    await discovery.idle();
    expect(owned()).toEqual([['cams:/', null, { max_bytes: 9 }]]);
    expect(log.events.find((e) => e.type === 'registration.label_conflict')?.payload).toMatchObject({ container: 'app', held_by_source: 'api' });
  });
});
