import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeFileSystem } from '../../test/fakes/fake-filesystem.js';
import { FakeVolumeCatalog } from '../../test/fakes/fake-volume-catalog.js';
import { InMemoryEventLog } from '../../test/fakes/in-memory-event-log.js';
import { FixedClock } from '../common/clock.js';
import { ConflictError, ForbiddenTargetError, ValidationError } from '../common/errors.js';
import { EventBus } from '../common/event-bus.js';
import { parseConfig } from '../config/app-config.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { StateStore } from '../state/state.store.js';
import { parseRegistration, type RegistrationInput } from './registration.schema.js';
import { RegistrationService } from './registration.service.js';
import { roomyStateDisk } from '../../test/fakes/in-memory-state-disk.js';

const T0 = new Date('2026-03-01T12:00:00Z');

function input(path: string, maxBytes = 100, volume = 'cam'): RegistrationInput {
  return parseRegistration({ volume_name: volume, path, algorithm: 'max_size', params: { max_bytes: maxBytes } });
}

describe('RegistrationService.deploy', () => {
  let clock: FixedClock;
  let log: InMemoryEventLog;
  let fs: FakeFileSystem;
  let service: RegistrationService;

  beforeEach(async () => {
    clock = new FixedClock(T0);
    log = new InMemoryEventLog(clock);
    fs = new FakeFileSystem();
    const catalog = new FakeVolumeCatalog('/srv/volumes').add('cam');
    const config = parseConfig({ SM_VOLUMES_DIR: '/srv/volumes', SM_DATA_DIR: '/srv/data' }, { cwd: '/srv' });
    const store = new StateStore(log, clock, config, new EventBus(), new SchedulerService(clock), roomyStateDisk(clock, config));
    await store.load();
    service = new RegistrationService(store, catalog, fs, clock, config);
  });

  const types = (): string[] => log.events.map((e) => e.type);

  it('creates the declared targets with source deploy and the project as owner, pending where the volume is missing', async () => {
    const summary = await service.deploy('shop', [input('/rec'), input('/app', 10, 'shop_logs')], false);
    expect(summary).toEqual({
      project: 'shop',
      dry_run: false,
      created: [
        { volume_name: 'cam', path: '/rec' },
        { volume_name: 'shop_logs', path: '/app' },
      ],
      updated: [],
      removed: [],
      unchanged: [],
    });
    expect(service.list().map((r) => [r.volume_name, r.source, r.owner, r.status])).toEqual([
      ['cam', 'deploy', 'shop', 'active'],
      ['shop_logs', 'deploy', 'shop', 'pending'],
    ]);
    expect(types()).toEqual(['registration.created', 'registration.created', 'registrations.deployed']);
    expect(log.events.at(-1)?.payload).toEqual({ project: 'shop', created: 2, updated: 0, unchanged: 0, removed: 0 });
  });

  it('is idempotent: the same deploy again changes nothing and appends nothing', async () => {
    await service.deploy('shop', [input('/rec'), input('/snap')], false);
    const before = log.events.length;
    clock.advance(60_000);
    const again = await service.deploy('shop', [input('/snap'), input('/rec')], false);
    expect(again).toMatchObject({ created: [], updated: [], removed: [], unchanged: [{ path: '/rec' }, { path: '/snap' }] });
    expect(log.events).toHaveLength(before);
  });

  it('updates what changed and removes what the project no longer declares, keeping identities', async () => {
    await service.deploy('shop', [input('/rec'), input('/snap'), input('/old')], false);
    const [rec] = service.list().filter((r) => r.path === '/rec');
    clock.advance(1000);
    const summary = await service.deploy('shop', [input('/rec', 50), input('/snap')], false);
    expect(summary).toMatchObject({
      created: [],
      updated: [{ volume_name: 'cam', path: '/rec' }],
      removed: [{ volume_name: 'cam', path: '/old' }],
      unchanged: [{ volume_name: 'cam', path: '/snap' }],
    });
    const after = service.list();
    expect(after.map((r) => r.path)).toEqual(['/rec', '/snap']);
    expect(after[0]).toMatchObject({ id: rec!.id, params: { max_bytes: 50 }, updated_at: new Date(T0.getTime() + 1000).toISOString() });
    expect(types().slice(-3)).toEqual(['registration.updated', 'registration.removed', 'registrations.deployed']);
    expect(log.events.at(-2)?.payload).toMatchObject({ path: '/old', reason: 'deploy' });
  });

  it('an empty declaration removes every registration of the project and only those', async () => {
    await service.deploy('shop', [input('/a')], false);
    await service.deploy('blog', [input('/b')], false);
    await service.upsert(input('/c'));
    const summary = await service.deploy('shop', [], false);
    expect(summary.removed).toEqual([{ volume_name: 'cam', path: '/a' }]);
    expect(service.list().map((r) => `${r.path} ${r.owner ?? r.source}`)).toEqual(['/b blog', '/c api']);
  });

  it('a dry run answers the same as the real deploy and changes nothing', async () => {
    await service.deploy('shop', [input('/rec'), input('/old')], false);
    const before = structuredClone(service.list());
    const events = log.events.length;
    const preview = await service.deploy('shop', [input('/rec', 7), input('/new')], true);
    expect(service.list()).toEqual(before);
    expect(log.events).toHaveLength(events);
    const applied = await service.deploy('shop', [input('/rec', 7), input('/new')], false);
    expect(preview).toEqual({ ...applied, dry_run: true });
    expect(applied).toMatchObject({ created: [{ path: '/new' }], updated: [{ path: '/rec' }], removed: [{ path: '/old' }] });
  });

  it('refuses the whole deploy when a target is held by the API, labels, an import or another project, naming each', async () => {
    await service.upsert(input('/api'));
    await service.upsert(input('/label'), 'label', '0123456789abcdef0123');
    await service.import([input('/imported')], 'merge', false);
    await service.deploy('blog', [input('/blog')], false);
    await service.deploy('shop', [input('/mine')], false);
    const before = log.events.length;
    const refused = service.deploy('shop', [input('/mine', 5), input('/api'), input('/label'), input('/imported'), input('/blog'), input('/fresh')], true);
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toMatchObject({
      status: 409,
      field: 'registrations[1]',
      details: [
        { field: 'registrations[1]', message: 'cam:/api is already registered by the API (POST /api/register)' },
        { field: 'registrations[2]', message: 'cam:/label is already registered by the labels of container 0123456789ab' },
        { field: 'registrations[3]', message: 'cam:/imported is already registered by an import' },
        { field: 'registrations[4]', message: 'cam:/blog is already registered by project "blog" (deploy)' },
      ],
    });
    await expect(service.deploy('shop', [input('/api')], false)).rejects.toBeInstanceOf(ConflictError);
    expect(log.events).toHaveLength(before);
    expect(service.list().find((r) => r.path === '/mine')?.params).toEqual({ max_bytes: 100 });
  });

  it('checks every target on disk first and names each bad one by index; nothing changes', async () => {
    await service.deploy('shop', [input('/keep')], false);
    const before = log.events.length;
    fs.files.add('/srv/volumes/cam/a.log');
    fs.files.add('/srv/volumes/cam/b.log');
    const refused = service.deploy('shop', [input('/ok'), input('/a.log'), input('/b.log')], false);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({
      field: 'registrations[1].path',
      details: [
        { field: 'registrations[1].path', message: 'path "/a.log" of volume "cam" is not a directory' },
        { field: 'registrations[2].path', message: 'path "/b.log" of volume "cam" is not a directory' },
      ],
    });
    expect(log.events).toHaveLength(before);
    expect(service.list().map((r) => r.path)).toEqual(['/keep']);
  });

  it("refuses a target holding the manager's own data directory with 422, by index", async () => {
    const catalog = new FakeVolumeCatalog('/srv/volumes').add('host', '/');
    const config = parseConfig({ SM_VOLUMES_DIR: '/srv/volumes', SM_DATA_DIR: '/srv/data' }, { cwd: '/srv' });
    const store = new StateStore(log, clock, config, new EventBus(), new SchedulerService(clock), roomyStateDisk(clock, config));
    await store.load();
    service = new RegistrationService(store, catalog, fs, clock, config);
    const refused = service.deploy('shop', [input('/ok', 1, 'host'), input('/srv', 1, 'host')], false);
    await expect(refused).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(refused).rejects.toMatchObject({ status: 422, field: 'registrations[1].path' });
    expect(service.list()).toEqual([]);
  });

  it('serialises concurrent deploys of one project: one creates, the other finds it unchanged', async () => {
    const [a, b] = await Promise.all([service.deploy('shop', [input('/rec')], false), service.deploy('shop', [input('/rec')], false)]);
    expect([a.created.length, b.created.length].sort()).toEqual([0, 1]);
    expect(service.list()).toHaveLength(1);
  });
});
