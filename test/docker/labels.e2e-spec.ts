import { existsSync, mkdirSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBus } from '../../src/common/event-bus.js';
import type { EventRecord } from '../../src/event-log/event.types.js';
import { LabelDiscoveryService } from '../../src/registration/label-discovery.service.js';
import { parseRegistration } from '../../src/registration/registration.schema.js';
import type { Registration } from '../../src/state/state.model.js';
import { EVENTS_COMMITTED } from '../../src/state/state.store.js';
import { DockerEngineWatch } from '../../src/volumes/docker-engine-watch.service.js';
import { getJson, sendJson } from '../support/api.js';
import { nextCommitted } from '../support/committed.js';
import { createVolume, registrationLabels, removeContainer, runContainer } from '../support/docker-run.js';
import { docker, importTestImage, startDockerd, type TestEngine } from '../support/dockerd.mjs';
import { eventually } from '../support/eventually.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Compose labels on a real Docker Engine: seed 000's two examples registered exactly as the API would register
 * them and enforced on files written at the volumes' mountpoints; discovery by the Engine's event stream (the
 * periodic pass is an hour away, so it cannot be what found them); the trust rule; ownership across stop,
 * removal and recreate; invalid labels and conflicts reported once.
 */
let engine: TestEngine;
let app: TestApp;
const committed: EventRecord[] = [];

const DAY = 86_400;

async function registrations(): Promise<Registration[]> {
  return (await getJson<Registration[]>(app.url, '/api/registrations')).body;
}

function registrationOf(volume: string, target: string): Promise<Registration> {
  return eventually(`registration ${volume}:${target} active`, async () =>
    (await registrations()).find((r) => r.volume_name === volume && r.path === target && r.status === 'active'),
  );
}

/** One listing of the Engine and the discovery pass on it, awaited. */
async function fullPass(): Promise<void> {
  expect(await app.running.app.get(DockerEngineWatch).refresh('test')).toBe(true);
  await app.running.app.get(LabelDiscoveryService).idle();
}

function eventsOf<T extends EventRecord['type']>(type: T): Array<Extract<EventRecord, { type: T }>> {
  return committed.filter((e): e is Extract<EventRecord, { type: T }> => e.type === type);
}

/** Files with mtimes in the past (`ageSeconds` ago), `size` bytes each (sparse: a 3 GiB file costs nothing). */
function writeAged(dir: string, name: string, ageSeconds: number, size = 100): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, '');
  truncateSync(file, size);
  const t = Date.now() / 1000 - ageSeconds;
  utimesSync(file, t, t);
  return file;
}

beforeAll(async () => {
  engine = await startDockerd();
  importTestImage(engine.host);
  app = await startTestApp({ SM_DOCKER_HOST: engine.host, SM_DISCOVERY_INTERVAL_SECONDS: '3600', SM_CHECK_INTERVAL_SECONDS: '3600' });
  app.running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => void committed.push(...events));
});

afterAll(async () => {
  await app?.close();
  await engine?.stop();
});

describe('seed 000 label examples on a real Engine', () => {
  it('camera-app: two indexes on camera-footage register as the API would, and both policies are enforced', async () => {
    const root = createVolume(engine.host, 'camera-footage');
    // /recordings: 6 GiB of (sparse) recordings over a 5 GiB cap; /snapshots: 105 over a keep_count of 100.
    const oldest = writeAged(path.join(root, 'recordings'), 'rec-0001.mp4', 7200, 3 * 1024 ** 3);
    const newest = writeAged(path.join(root, 'recordings'), 'rec-0002.mp4', 3600, 3 * 1024 ** 3);
    for (let i = 0; i < 105; i++) writeAged(path.join(root, 'snapshots'), `snap-${String(i).padStart(3, '0')}.jpg`, 20_000 - i * 60);

    runContainer(engine.host, 'camera-app', {
      volumes: ['camera-footage:/footage'],
      labels: registrationLabels(
        { volume: 'camera-footage', path: '/recordings', algorithm: 'max_size', max_bytes: '5368709120', sort_by: 'mtime' },
        { volume: 'camera-footage', path: '/snapshots', algorithm: 'keep_n_latest', keep_count: '100' },
      ),
    });

    const recordings = await registrationOf('camera-footage', '/recordings');
    const snapshots = await registrationOf('camera-footage', '/snapshots');
    // Exactly what POST /api/register makes of seed 000's own request body.
    const api = parseRegistration({
      volume_name: 'camera-footage',
      path: '/recordings',
      algorithm: 'max_size',
      params: { max_bytes: 5368709120, sort_by: 'mtime' },
    });
    expect(recordings).toMatchObject({ ...api, source: 'label', owner: 'camera-app', status: 'active' });
    expect(snapshots).toMatchObject({
      ...parseRegistration({ volume_name: 'camera-footage', path: '/snapshots', algorithm: 'keep_n_latest', params: { keep_count: 100 } }),
      source: 'label',
      owner: 'camera-app',
    });

    await eventually('the oldest recording deleted', () => (existsSync(oldest) ? undefined : true));
    expect(existsSync(newest)).toBe(true);
    const kept = await eventually('100 snapshots kept', () => {
      const left = readdirSync(path.join(root, 'snapshots')).sort();
      return left.length === 100 ? left : undefined;
    });
    expect(kept[0]).toBe('snap-005.jpg');

    const volume = (await getJson<Array<Record<string, unknown>>>(app.url, '/api/volumes?name=camera-footage')).body;
    expect(volume).toHaveLength(1);
    expect(volume[0]).toMatchObject({ volume_name: 'camera-footage', containers: ['camera-app'], driver: 'local', source: 'docker', manageable: true, status: 'available' });
    await eventually('cleanups shown in /api/volumes', async () => {
      const [v] = (await getJson<Array<{ registrations: Array<{ path: string; files_removed_last_run: number | null }> }>>(app.url, '/api/volumes?name=camera-footage')).body;
      const byPath = Object.fromEntries((v?.registrations ?? []).map((r) => [r.path, r.files_removed_last_run]));
      return byPath['/recordings'] === 1 && byPath['/snapshots'] === 5 ? true : undefined;
    });
  });

  it('log rotation: the compose-level volume name "logs" resolves through the project label; files older than 14 days go', async () => {
    const project = 'protected-container';
    const root = createVolume(engine.host, `${project}_logs`, { labels: { 'com.docker.compose.project': project, 'com.docker.compose.volume': 'logs' } });
    const stale = writeAged(root, 'code-server-stdout-2026-02-10.log', 20 * DAY);
    const fresh = writeAged(root, 'code-server-stdout-2026-02-24.log', 1 * DAY);

    runContainer(engine.host, `${project}-app-1`, {
      volumes: [`${project}_logs:/app/logs`],
      labels: {
        'com.docker.compose.project': project,
        'com.docker.compose.service': 'app',
        ...registrationLabels({
          volume: 'logs',
          path: '/',
          algorithm: 'remove_before_date',
          max_age_days: '14',
          description: 'Rotate code-server logs, keep last 14 days',
        }),
      },
    });

    const registration = await registrationOf(`${project}_logs`, '/');
    expect(registration).toMatchObject({
      ...parseRegistration({
        volume_name: 'protected-container_logs',
        path: '/',
        algorithm: 'remove_before_date',
        params: { max_age_days: 14 },
        description: 'Rotate code-server logs, keep last 14 days',
      }),
      source: 'label',
      owner: `${project}-app-1`,
    });
    await eventually('the 20-day-old log deleted', () => (existsSync(stale) ? undefined : true));
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('discovery follows the event stream', () => {
  it('a docker run appears as an active registration within one event, with the periodic pass an hour away', async () => {
    createVolume(engine.host, 'evt-data');
    const before = (await getJson<{ scheduler: { jobs: Array<{ name: string; runs: number }> } }>(app.url, '/api/health')).body;
    const discoveryRuns = before.scheduler.jobs.find((j) => j.name === 'docker-discovery')?.runs;
    const started = performance.now();
    runContainer(engine.host, 'evt-app', { volumes: ['evt-data:/data'], labels: registrationLabels({ volume: 'evt-data', path: '/', algorithm: 'keep_n_latest', keep_count: '10' }) });
    await registrationOf('evt-data', '/');
    const elapsed = performance.now() - started;
    const after = (await getJson<{ scheduler: { jobs: Array<{ name: string; runs: number }> } }>(app.url, '/api/health')).body;
    expect(discoveryRuns).toBe(0);
    expect(after.scheduler.jobs.find((j) => j.name === 'docker-discovery')?.runs).toBe(0);
    expect(elapsed).toBeLessThan(30_000);
  });
});

describe('trust rule', () => {
  it('refuses a label naming a volume its container does not mount: an event naming container, index and field, and no registration', async () => {
    createVolume(engine.host, 'someone-elses');
    createVolume(engine.host, 'mine');
    const refused = nextCommitted(app, (e): e is EventRecord<'registration.label_refused'> => e.type === 'registration.label_refused' && e.payload.container === 'intruder');
    runContainer(engine.host, 'intruder', {
      volumes: ['mine:/data'],
      labels: registrationLabels(
        { volume: 'mine', path: '/', algorithm: 'keep_n_latest', keep_count: '5' },
        { volume: 'someone-elses', path: '/', algorithm: 'max_size', max_bytes: '0' },
      ),
    });
    const event = await refused;
    expect(event.payload).toMatchObject({ container: 'intruder', index: '1', volume: 'someone-elses', field: 'volume_name' });
    expect(event.payload.reason).toMatch(/does not mount volume "someone-elses"/);
    // Its other index applies.
    await registrationOf('mine', '/');
    expect((await registrations()).some((r) => r.volume_name === 'someone-elses')).toBe(false);
  });

  it('honours only paths under a volume subdirectory the container bind-mounts', async () => {
    const root = createVolume(engine.host, 'shared');
    mkdirSync(path.join(root, 'mine'));
    const refused = nextCommitted(app, (e): e is EventRecord<'registration.label_refused'> => e.type === 'registration.label_refused' && e.payload.container === 'subdir-app');
    runContainer(engine.host, 'subdir-app', {
      volumes: [`${path.join(root, 'mine')}:/data`],
      labels: registrationLabels(
        { volume: 'shared', path: '/mine/cache', algorithm: 'keep_n_latest', keep_count: '5' },
        { volume: 'shared', path: '/', algorithm: 'max_size', max_bytes: '0' },
      ),
    });
    expect((await refused).payload).toMatchObject({ index: '1', field: 'path', volume: 'shared', path: '/' });
    await registrationOf('shared', '/mine/cache');
    expect((await registrations()).some((r) => r.volume_name === 'shared' && r.path === '/')).toBe(false);
  });
});

describe('ownership', () => {
  const labels = (keep: string): Record<string, string> => registrationLabels({ volume: 'owned', path: '/', algorithm: 'keep_n_latest', keep_count: keep });

  it('survives docker stop, is updated when the container is recreated with other labels, and goes when it is removed', async () => {
    createVolume(engine.host, 'owned');
    runContainer(engine.host, 'owner-app', { volumes: ['owned:/data'], labels: labels('10') });
    const first = await registrationOf('owned', '/');
    expect(first).toMatchObject({ owner: 'owner-app', params: { keep_count: 10 } });

    docker(engine.host, ['stop', 'owner-app']);
    // A full pass after the stop (a container event and an explicit listing both lead to one).
    runContainer(engine.host, 'bystander', {});
    await fullPass();
    expect((await registrations()).find((r) => r.volume_name === 'owned')).toMatchObject({ id: first.id, owner: 'owner-app', status: 'active' });

    // Recreated (rm, then run with the same name): the same registration, updated.
    removeContainer(engine.host, 'owner-app');
    runContainer(engine.host, 'owner-app', { volumes: ['owned:/data'], labels: labels('20') });
    const updated = await eventually('keep_count updated to 20', async () => (await registrations()).find((r) => r.volume_name === 'owned' && r.params.keep_count === 20));
    expect(updated).toMatchObject({ id: first.id, owner: 'owner-app', source: 'label' });

    const removed = nextCommitted(app, (e): e is EventRecord<'registration.removed'> => e.type === 'registration.removed' && e.payload.volume_name === 'owned', 30_000);
    removeContainer(engine.host, 'owner-app');
    expect((await removed).payload.reason).toMatch(/owner-app removed/);
    expect((await registrations()).some((r) => r.volume_name === 'owned')).toBe(false);
  });

  it('keeps an API registration of the same target and reports the conflict once; an invalid label is reported once too', async () => {
    createVolume(engine.host, 'contested');
    const api = await sendJson(app.url, 'POST', '/api/register', { volume_name: 'contested', path: '/', algorithm: 'max_size', params: { max_bytes: 1000 } });
    expect(api.status).toBe(201);
    const conflict = nextCommitted(app, (e): e is EventRecord<'registration.label_conflict'> => e.type === 'registration.label_conflict' && e.payload.container === 'claimer');
    runContainer(engine.host, 'claimer', {
      volumes: ['contested:/data'],
      labels: registrationLabels(
        { volume: 'contested', path: '/', algorithm: 'keep_n_latest', keep_count: '3' },
        { volume: 'contested', path: '/b', algorithm: 'max_size', max_bytes: 'lots' },
        { volume: 'contested', path: '/c', algorithm: 'keep_n_latest', keep_count: '7' },
      ),
    });
    expect((await conflict).payload).toMatchObject({ index: '0', volume_name: 'contested', path: '/', held_by_source: 'api' });
    await registrationOf('contested', '/c');
    const invalid = eventsOf('registration.label_invalid').filter((e) => e.payload.container === 'claimer');
    expect(invalid.map((e) => e.payload)).toEqual([expect.objectContaining({ index: '1', label: 'storage-manager.1.max_bytes', field: 'params.max_bytes' })]);
    expect((await registrations()).find((r) => r.volume_name === 'contested' && r.path === '/')).toMatchObject({ source: 'api', algorithm: 'max_size' });

    // Later passes report nothing again.
    for (let i = 0; i < 3; i++) {
      runContainer(engine.host, `noise-${i}`, {});
      await fullPass();
    }
    expect(eventsOf('registration.label_conflict').filter((e) => e.payload.container === 'claimer')).toHaveLength(1);
    expect(eventsOf('registration.label_invalid').filter((e) => e.payload.container === 'claimer')).toHaveLength(1);
  });
});
