import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isoSeconds } from '../../src/common/clock.js';
import type { EventRecord } from '../../src/event-log/event.types.js';
import { getJson, sendJson } from '../support/api.js';
import { nextCommitted } from '../support/committed.js';
import { createVolume, registrationLabels, runContainer } from '../support/docker-run.js';
import { docker, importTestImage, startDockerd, type TestEngine } from '../support/dockerd.mjs';
import { eventually } from '../support/eventually.js';
import { startSocketProxy, type SocketProxy } from '../support/socket-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Docker volumes in the catalog, on a real Engine reached through a GET-only socket proxy over TCP (as in a
 * deployment): GET /api/volumes is `docker volume ls` with drivers, creation times, labels, mountpoints and the
 * containers that mount each, beside standalone directories and SM_ROOTS; sizes of unregistered volumes come
 * from the Engine's disk-usage report; a tmpfs volume is listed and never managed; only GET requests are made.
 */
interface VolumeView {
  volume_name: string;
  current_bytes: number | null;
  containers: string[];
  driver: string;
  created_at: string | null;
  labels: Record<string, string>;
  mountpoint: string | null;
  source: string | null;
  manageable: boolean;
  unmanageable_reason: string | null;
  status: string;
  registrations: Array<{ path: string }>;
}

let engine: TestEngine;
let proxy: SocketProxy;
let app: TestApp;
let hostDir: string;
let bindDevice: string;
let aliasMount: string | undefined;

async function volumes(query = ''): Promise<VolumeView[]> {
  return (await getJson<VolumeView[]>(app.url, `/api/volumes${query}`)).body;
}

interface Inspected {
  Name: string;
  Driver: string;
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Options: Record<string, string> | null;
}

/** What the Engine itself says, through its own client: every volume, and the containers that mount each. */
function engineView(): Array<Pick<VolumeView, 'volume_name' | 'driver' | 'created_at' | 'labels' | 'containers' | 'mountpoint'>> {
  const names = docker(engine.host, ['volume', 'ls', '--quiet']).split('\n').filter((n) => n !== '');
  const inspected = JSON.parse(docker(engine.host, ['volume', 'inspect', ...names])) as Inspected[];
  return inspected
    .map((v) => ({
      volume_name: v.Name,
      driver: v.Driver,
      created_at: isoSeconds(new Date(v.CreatedAt)),
      labels: v.Labels ?? {},
      containers: docker(engine.host, ['ps', '--all', '--filter', `volume=${v.Name}`, '--format', '{{.Names}}']).split('\n').filter((n) => n !== '').sort(),
      mountpoint: v.Options?.type === 'none' && v.Options.device ? v.Options.device : v.Mountpoint,
    }))
    .sort((a, b) => a.volume_name.localeCompare(b.volume_name));
}

beforeAll(async () => {
  engine = await startDockerd();
  importTestImage(engine.host);
  proxy = await startSocketProxy(engine.socket);
  hostDir = mkdtempSync(path.join(tmpdir(), 'sm-catalog-'));
  mkdirSync(path.join(hostDir, 'camera-box'));
  bindDevice = path.join(hostDir, 'bind-device');
  mkdirSync(bindDevice);

  createVolume(engine.host, 'alpha', { labels: { team: 'cams', 'com.example.tier': 'gold' } });
  createVolume(engine.host, 'beta');
  createVolume(engine.host, 'tmpfs-vol', { opts: ['type=tmpfs', 'device=tmpfs', 'o=size=1m'] });
  createVolume(engine.host, 'bind-vol', { opts: ['type=none', 'o=bind', `device=${bindDevice}`] });
  runContainer(engine.host, 'alpha-app', { volumes: ['alpha:/data', 'beta:/beta'] });
  runContainer(engine.host, 'alpha-worker', { volumes: ['alpha:/data'], start: false });

  app = await startTestApp({
    SM_DOCKER_HOST: proxy.host,
    SM_ROOTS: `camera-box=${path.join(hostDir, 'camera-box')}`,
    SM_MONITOR_INTERVAL_SECONDS: '1',
    SM_DISCOVERY_INTERVAL_SECONDS: '3600',
  });
  // A standalone directory beside Docker, and one whose name a Docker volume takes.
  mkdirSync(path.join(app.volumesDir, 'standalone-a'));
  mkdirSync(path.join(app.volumesDir, 'alpha'));
});

afterAll(async () => {
  await app?.close();
  if (aliasMount) spawnSync('umount', [aliasMount]);
  await proxy?.close();
  await engine?.stop();
  rmSync(hostDir, { recursive: true, force: true });
});

describe('Docker volumes in GET /api/volumes', () => {
  it('lists exactly what docker volume ls lists, with drivers, creation times, labels, mountpoints and containers', async () => {
    const expected = engineView();
    const docker = await eventually('the Docker listing in /api/volumes', async () => {
      const listed = (await volumes()).filter((v) => v.source === 'docker');
      return listed.length === expected.length ? listed : undefined;
    });
    expect(
      docker.map((v) => ({ volume_name: v.volume_name, driver: v.driver, created_at: v.created_at, labels: v.labels, containers: v.containers, mountpoint: v.mountpoint })),
    ).toEqual(expected);
    expect(docker.find((v) => v.volume_name === 'alpha')?.containers).toEqual(['alpha-app', 'alpha-worker']);
    expect(docker.find((v) => v.volume_name === 'bind-vol')?.mountpoint).toBe(bindDevice);
  });

  it('keeps standalone directories and SM_ROOTS beside Docker; a name in both is the Docker volume, once', async () => {
    const all = await volumes();
    expect(all.filter((v) => v.source !== 'docker').map((v) => [v.volume_name, v.source]).sort()).toEqual([
      ['camera-box', 'root'],
      ['standalone-a', 'directory'],
    ]);
    expect(all.filter((v) => v.volume_name === 'alpha').map((v) => v.source)).toEqual(['docker']);
  });

  it('filters and sorts as seed 000 says', async () => {
    expect((await volumes('?name=ALP')).map((v) => v.volume_name)).toEqual(['alpha']);
    const byCreation = (await volumes('?sort=created_at')).map((v) => v.created_at);
    expect(byCreation).toEqual([...byCreation].sort());
    expect((await volumes('?registered=true')).map((v) => v.volume_name)).toEqual([]);
  });

  it('sizes an unregistered volume from the Engine\'s disk-usage report, read in the background', async () => {
    const beta = (await volumes()).find((v) => v.volume_name === 'beta')!;
    writeFileSync(path.join(beta.mountpoint!, 'payload.bin'), Buffer.alloc(12_345, 1));
    const size = await eventually('the disk-usage report in current_bytes', async () => {
      const bytes = (await volumes('?name=beta'))[0]?.current_bytes;
      return bytes === 12_345 ? bytes : undefined;
    });
    expect(size).toBe(12_345);
    const health = (await getJson<{ docker: { disk_usage_at: string | null } }>(app.url, '/api/health')).body;
    expect(health.docker.disk_usage_at).toEqual(expect.any(String));
  });

  it('lists a tmpfs volume as unmanageable and refuses to register it', async () => {
    const tmpfs = (await volumes('?name=tmpfs-vol'))[0]!;
    expect(tmpfs).toMatchObject({ driver: 'local', manageable: false, current_bytes: null, status: 'available' });
    expect(tmpfs.unmanageable_reason).toMatch(/tmpfs/);
    const refused = await sendJson<{ field: string; message: string }>(app.url, 'POST', '/api/register', { volume_name: 'tmpfs-vol', path: '/', algorithm: 'max_size', params: { max_bytes: 1 } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ field: 'volume_name' });
    expect(refused.body.message).toMatch(/cannot be managed/);
  });

  it('refuses a Docker volume that is the manager\'s own data directory under another path (by identity)', async () => {
    const root = createVolume(engine.host, 'sneaky');
    aliasMount = root;
    const bound = spawnSync('mount', ['--bind', app.dataDir, root], { encoding: 'utf8' });
    expect(bound.status).toBe(0);
    const refused = await sendJson<{ message: string }>(app.url, 'POST', '/api/register', { volume_name: 'sneaky', path: '/', algorithm: 'max_size', params: { max_bytes: 0 } });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/own data directory/);
  });

  it('made GET requests only, for versions, volumes, containers, the disk-usage report and the event stream', () => {
    const methods = new Set(proxy.requests.map((r) => r.method));
    expect([...methods]).toEqual(['GET']);
    const paths = proxy.requests.map((r) => r.path.split('?')[0]);
    for (const endpoint of ['/version', '/volumes', '/containers/json', '/system/df', '/events']) expect(paths).toContain(endpoint);
  });
});

describe('the event stream through the proxy', () => {
  it('is opened again after it drops, and discovery keeps following events', async () => {
    await eventually('the event stream open', () => (proxy.openStreams === 1 ? true : undefined));
    expect(proxy.dropStreams()).toBe(1);
    await eventually('the event stream opened again', async () => {
      const health = (await getJson<{ docker: { events: boolean } }>(app.url, '/api/health')).body;
      return proxy.openStreams === 1 && health.docker.events ? true : undefined;
    });
    createVolume(engine.host, 'after-drop');
    const created = nextCommitted(app, (e): e is EventRecord<'registration.created'> => e.type === 'registration.created' && e.payload.registration.volume_name === 'after-drop');
    runContainer(engine.host, 'after-drop-app', { volumes: ['after-drop:/data'], labels: registrationLabels({ volume: 'after-drop', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }) });
    expect((await created).payload.registration).toMatchObject({ source: 'label', owner: 'after-drop-app', status: 'active' });
  });
});
