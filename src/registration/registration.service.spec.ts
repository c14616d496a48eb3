import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeFileSystem } from '../../test/fakes/fake-filesystem.js';
import { FakeVolumeCatalog } from '../../test/fakes/fake-volume-catalog.js';
import { InMemoryEventLog } from '../../test/fakes/in-memory-event-log.js';
import { FixedClock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { ForbiddenTargetError, NotFoundError, ValidationError } from '../common/errors.js';
import { parseConfig, type AppConfig } from '../config/app-config.js';
import { StateStore } from '../state/state.store.js';
import { parseRegistration, type RegistrationInput } from './registration.schema.js';
import { RegistrationService } from './registration.service.js';
import { roomyStateDisk } from '../../test/fakes/in-memory-state-disk.js';

const T0 = new Date('2026-03-01T12:00:00Z');

function input(overrides: Partial<RegistrationInput> = {}): RegistrationInput {
  return parseRegistration({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 100 }, ...overrides });
}

describe('RegistrationService', () => {
  let clock: FixedClock;
  let log: InMemoryEventLog;
  let catalog: FakeVolumeCatalog;
  let config: AppConfig;
  let store: StateStore;
  let service: RegistrationService;
  let fs: FakeFileSystem;

  async function boot(): Promise<void> {
    store = new StateStore(log, clock, config, new EventBus(), new SchedulerService(clock), roomyStateDisk(clock, config));
    await store.load();
    service = new RegistrationService(store, catalog, fs, clock, config);
  }

  beforeEach(async () => {
    clock = new FixedClock(T0);
    log = new InMemoryEventLog(clock);
    catalog = new FakeVolumeCatalog('/srv/volumes').add('cam');
    fs = new FakeFileSystem();
    config = parseConfig({ SM_VOLUMES_DIR: '/srv/volumes', SM_DATA_DIR: '/srv/data', SM_SNAPSHOT_EVERY_EVENTS: '10' }, { cwd: '/srv' });
    await boot();
  });

  it('refuses a path that exists as a file (targets are directories), naming the field, and stores nothing', async () => {
    fs.files.add('/srv/volumes/cam/app.log');
    const refused = service.upsert(input({ path: '/app.log' }));
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ field: 'path' });
    expect(service.list()).toEqual([]);
  });

  it('creates, then reports unchanged and updated without changing identity', async () => {
    const created = await service.upsert(input());
    expect(created.outcome).toBe('created');
    expect(created.registration).toMatchObject({ status: 'active', created_at: T0.toISOString(), source: 'api' });

    clock.advance(1000);
    const same = await service.upsert(input());
    expect(same.outcome).toBe('unchanged');

    const updated = await service.upsert(input({ params: { max_bytes: 50 } }));
    expect(updated.outcome).toBe('updated');
    expect(updated.registration.id).toBe(created.registration.id);
    expect(updated.registration.created_at).toBe(T0.toISOString());
    expect(updated.registration.updated_at).toBe(new Date(T0.getTime() + 1000).toISOString());
    expect(log.events.map((e) => e.type)).toEqual(['registration.created', 'registration.updated']);
  });

  it('serialises concurrent upserts of one target into one registration', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => service.upsert(input())));
    expect(outcomes.filter((o) => o.outcome === 'created')).toHaveLength(1);
    expect(service.list()).toHaveLength(1);
  });

  it('marks a registration on a missing volume pending and activates it when the volume appears', async () => {
    const { registration } = await service.upsert(input({ volume_name: 'later' }));
    expect(registration.status).toBe('pending');
    expect(await service.reconcileVolumeStatus()).toBe(0);
    catalog.add('later');
    expect(await service.reconcileVolumeStatus()).toBe(1);
    expect(service.get(registration.id).status).toBe('active');
    catalog.delete('later');
    expect(await service.reconcileVolumeStatus()).toBe(1);
    expect(service.get(registration.id).status).toBe('pending');
  });

  it('never makes a registration pending while its volume is unknown (the Docker Engine away)', async () => {
    const { registration } = await service.upsert(input());
    catalog.setUnknown('cam');
    expect(await service.reconcileVolumeStatus()).toBe(0);
    expect(service.get(registration.id).status).toBe('active');
    // Gone for real (its source answers without it): pending.
    catalog.delete('cam');
    expect(await service.reconcileVolumeStatus()).toBe(1);
    expect(service.get(registration.id).status).toBe('pending');
  });

  it('refuses a volume that cannot be managed, naming the field, and keeps a pending registration pending when its volume turns out so', async () => {
    catalog.add('shm', '/dev/shm-vol', { source: 'docker', manageable: false, unmanageableReason: 'local volume of type "tmpfs"' });
    await expect(service.upsert(input({ volume_name: 'shm' }))).rejects.toMatchObject({ status: 422, field: 'volume_name', message: expect.stringMatching(/cannot be managed: local volume of type "tmpfs"/) });
    const { registration } = await service.upsert(input({ volume_name: 'later' }));
    catalog.add('later', '/x', { manageable: false, unmanageableReason: 'driver "nfs" keeps no data at a local mountpoint' });
    expect(await service.reconcileVolumeStatus()).toBe(0);
    expect(service.get(registration.id).status).toBe('pending');
  });

  it('refuses a volume that is the data directory under another path (same directory, by identity)', async () => {
    catalog.add('sm_data', '/host/var/lib/docker/volumes/sm_data/_data', { source: 'docker' });
    fs.aliases.set('/host/var/lib/docker/volumes/sm_data/_data', '/srv/data');
    await expect(service.upsert(input({ volume_name: 'sm_data', path: '/' }))).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(service.upsert(input({ volume_name: 'sm_data', path: '/db/backups' }))).rejects.toMatchObject({ message: expect.stringMatching(/own data directory/) });
    expect(service.list()).toEqual([]);
  });

  it('lets a caller keep an existing registration it did not expect (upsert\'s replaces) and remove only what it expects (removeIf)', async () => {
    await service.upsert(input());
    const kept = await service.upsert(input({ params: { max_bytes: 1 } }), 'label', 'app', { replaces: (existing) => existing.source === 'label' });
    expect(kept.outcome).toBe('unchanged');
    expect(kept.registration).toMatchObject({ source: 'api', params: { max_bytes: 100 } });
    expect(await service.removeIf('cam', '/rec', 'container app removed', (existing) => existing.source === 'label')).toBe(false);
    expect(service.list()).toHaveLength(1);
    expect(await service.removeIf('cam', '/rec', 'test', (existing) => existing.source === 'api')).toBe(true);
    expect(service.list()).toEqual([]);
  });

  it('refuses a target that contains the data directory', async () => {
    catalog = new FakeVolumeCatalog('/srv/volumes').add('root', '/');
    await boot();
    await expect(service.upsert(input({ volume_name: 'root', path: '/srv' }))).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(service.upsert(input({ volume_name: 'root', path: '/srv/data/x' }))).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(service.upsert(input({ volume_name: 'root', path: '/srv/volumes/a' }))).resolves.toMatchObject({ outcome: 'created' });
    expect(log.events).toHaveLength(1);
  });

  it('removes, and says 404 for what is not there', async () => {
    await service.upsert(input());
    await service.remove('cam', '/rec');
    expect(service.list()).toEqual([]);
    await expect(service.remove('cam', '/rec')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('imports atomically; replace keeps label registrations; dry run writes nothing', async () => {
    await service.upsert(input({ path: '/a' }));
    await service.upsert(input({ path: '/label' }), 'label', 'container-1');
    const before = log.events.length;
    const preview = await service.import([input({ path: '/b' })], 'replace', true);
    expect(preview).toMatchObject({ created: 1, removed: 1, dry_run: true });
    expect(log.events).toHaveLength(before);

    const applied = await service.import([input({ path: '/b' })], 'replace', false);
    expect(applied).toMatchObject({ created: 1, removed: 1, unchanged: 0 });
    expect(service.list().map((r) => r.path)).toEqual(['/b', '/label']);
    expect(log.events.at(-1)?.type).toBe('registrations.imported');
  });

  it('rebuilds the same state from snapshot plus later events after a restart', async () => {
    for (let i = 0; i < 25; i++) {
      clock.advance(1000);
      await service.upsert(input({ path: `/p${i}`, params: { max_bytes: i } }));
    }
    await service.remove('cam', '/p3');
    const live = structuredClone(store.current);
    expect(log.snapshots.length).toBeGreaterThanOrEqual(2); // every 10 events
    await boot();
    expect(store.current).toEqual(live);
  });

  it('compacts only events a snapshot covers and that are past retention', async () => {
    await service.upsert(input({ path: '/old' }));
    clock.advance(31 * 86_400_000);
    await service.upsert(input({ path: '/new' }));
    const dropped = await store.compact();
    expect(dropped).toBe(1);
    expect(log.events.map((e) => e.type)).toEqual(['registration.created', 'log.compacted']);
    await boot();
    expect(service.list().map((r) => r.path)).toEqual(['/new', '/old']);
  });
});
