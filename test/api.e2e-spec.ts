import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TreeReader } from '../src/measuring/tree-reader.port.js';
import type { TreeUsage } from '../src/measuring/scan-output.js';
import { SchedulerService } from '../src/scheduler/scheduler.service.js';
import { SAMPLING_JOB } from '../src/tiers/filesystem-sampler.service.js';
import { eventually } from './support/eventually.js';
import { measuredVolumes, type VolumeBody } from './support/measured-volumes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The public contract's own examples, byte for byte.
const SEED_CAMERA = `{
  "volume_name": "camera-footage",
  "path": "/recordings",
  "algorithm": "max_size",
  "params": {
    "max_bytes": 5368709120,
    "sort_by": "mtime"
  },
  "description": "Security camera recordings"
}`;
const SEED_LOGS = `{
  "volume_name": "protected-container_logs",
  "path": "/",
  "algorithm": "remove_before_date",
  "params": { "max_age_days": 14 },
  "description": "Rotate code-server logs, keep last 14 days"
}`;
const SEED_TEST_VOL = '{"volume_name":"test-vol","path":"/data","algorithm":"max_size","params":{"max_bytes":1048576}}';

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});

afterEach(async () => {
  await app.close();
});

function post(url: string, body: string): request.Test {
  return request(app.url).post(url).set('Content-Type', 'application/json').send(body);
}

function writeFile(relative: string, bytes: number): void {
  const full = path.join(app.volumesDir, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, Buffer.alloc(bytes, 1));
}

describe('registration (public contract examples)', () => {
  it('registers, answers 200 on the identical request, 200 on an update, and lists it', async () => {
    mkdirSync(path.join(app.volumesDir, 'camera-footage'));
    const created = await post('/api/register', SEED_CAMERA).expect(201);
    expect(created.body).toMatchObject({
      volume_name: 'camera-footage',
      path: '/recordings',
      algorithm: 'max_size',
      params: { max_bytes: 5368709120, sort_by: 'mtime' },
      description: 'Security camera recordings',
      source: 'api',
      status: 'active',
      outcome: 'created',
    });
    const again = await post('/api/register', SEED_CAMERA).expect(200);
    expect(again.body).toMatchObject({ id: created.body.id, outcome: 'unchanged' });

    const updated = await post('/api/register', SEED_CAMERA.replace('5368709120', '1073741824')).expect(200);
    expect(updated.body).toMatchObject({ id: created.body.id, outcome: 'updated', params: { max_bytes: 1073741824 } });

    const list = await request(app.url).get('/api/registrations').expect(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ id: created.body.id, params: { max_bytes: 1073741824, sort_by: 'mtime' } });
    const one = await request(app.url).get(`/api/registrations/${created.body.id}`).expect(200);
    expect(one.body.path).toBe('/recordings');
    await request(app.url).get('/api/registrations/00000000-0000-0000-0000-000000000000').expect(404);
  });

  it('accepts the log-rotation and manual-verification examples', async () => {
    await post('/api/register', SEED_LOGS).expect(201);
    await post('/api/register', SEED_TEST_VOL).expect(201);
    const list = await request(app.url).get('/api/registrations').expect(200);
    expect(list.body.map((r: { volume_name: string; path: string }) => `${r.volume_name}:${r.path}`)).toEqual([
      'protected-container_logs:/',
      'test-vol:/data',
    ]);
  });

  it('unregisters with a URL-encoded path: 204, then 404', async () => {
    await post('/api/register', SEED_CAMERA).expect(201);
    await request(app.url).delete('/api/register/camera-footage/%2Frecordings').expect(204);
    await request(app.url).delete('/api/register/camera-footage/%2Frecordings').expect(404);
    expect((await request(app.url).get('/api/registrations').expect(200)).body).toEqual([]);
  });

  it('keeps registrations across a restart', async () => {
    const created = await post('/api/register', SEED_CAMERA).expect(201);
    await post('/api/register', SEED_LOGS).expect(201);
    await request(app.url).delete('/api/register/protected-container_logs/%2F').expect(204);
    app = await app.restart();
    const list = await request(app.url).get('/api/registrations').expect(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ id: created.body.id, volume_name: 'camera-footage', path: '/recordings' });
  });

  it('accepts an unknown volume as pending and activates it when its directory appears', async () => {
    const created = await post('/api/register', SEED_CAMERA).expect(201);
    expect(created.body.status).toBe('pending');
    mkdirSync(path.join(app.volumesDir, 'camera-footage'));
    await app.running.app.get(SchedulerService).runNow('volume-discovery');
    const one = await request(app.url).get(`/api/registrations/${created.body.id}`).expect(200);
    expect(one.body.status).toBe('active');
    const events = await request(app.url).get('/api/events?type=registration.activated').expect(200);
    expect(events.body.events).toHaveLength(1);
    expect(events.body.events[0].target).toBe('camera-footage:/recordings');
  });

  it("refuses a target that would hold the manager's own data directory", async () => {
    const response = await post(
      '/api/register',
      JSON.stringify({ volume_name: 'host', path: '/', algorithm: 'max_size', params: { max_bytes: 1 } }),
    );
    expect(response.status).toBe(201); // an ordinary volume is fine
    app = await app.restart({ SM_ROOTS: `everything=${app.dir}` });
    const refused = await post(
      '/api/register',
      JSON.stringify({ volume_name: 'everything', path: '/', algorithm: 'max_size', params: { max_bytes: 1 } }),
    ).expect(422);
    expect(refused.body).toMatchObject({ field: 'path' });
    expect(refused.body.message).toMatch(/data directory/);
    await post(
      '/api/register',
      JSON.stringify({ volume_name: 'everything', path: '/data/sub', algorithm: 'max_size', params: { max_bytes: 1 } }),
    ).expect(422);
    // A sibling of the data directory is registrable.
    await post(
      '/api/register',
      JSON.stringify({ volume_name: 'everything', path: '/volumes/x', algorithm: 'max_size', params: { max_bytes: 1 } }),
    ).expect(201);
  });
});

describe('GET /api/volumes', () => {
  beforeEach(async () => {
    writeFile('camera-footage/recordings/a.mp4', 3000);
    writeFile('camera-footage/recordings/b.mp4', 2000);
    writeFile('camera-footage/snapshots/s.jpg', 500);
    writeFile('caddy_data/certs.pem', 100);
    await post('/api/register', SEED_CAMERA).expect(201);
    await post(
      '/api/register',
      '{"volume_name":"camera-footage","path":"/snapshots","algorithm":"keep_n_latest","params":{"keep_count":100}}',
    ).expect(201);
  });

  it('answers at once, before the background walk has measured a volume, and says so', async () => {
    writeFile('fresh/a.bin', 10);
    const first = await request(app.url).get('/api/volumes?name=fresh').expect(200);
    expect(first.body[0]).toMatchObject({ volume_name: 'fresh', current_bytes: null, current_bytes_source: null, current_bytes_measured_at: null });
    await measuredVolumes(app.url);
    const later = await request(app.url).get('/api/volumes?name=fresh').expect(200);
    expect(later.body[0]).toMatchObject({ current_bytes: 10, current_bytes_source: 'scan', current_bytes_measured_at: expect.any(String) });
  });

  it('never walks a tree on a request: with the background walk held, every route answers and the size stays unmeasured', async () => {
    // The real scanner, with its walks of one tree counted and held until the test lets them go.
    const reader = app.running.app.get(TreeReader);
    const walk = reader.usage.bind(reader);
    const walks: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    reader.usage = async (root: string): Promise<TreeUsage> => {
      walks.push(root);
      if (root.endsWith(`${path.sep}held`)) await held;
      return walk(root);
    };
    writeFile('held/a.bin', 10);
    for (let i = 0; i < 10; i++) {
      const [volume] = (await request(app.url).get('/api/volumes?name=held').expect(200)).body as VolumeBody[];
      expect(volume).toMatchObject({ volume_name: 'held', current_bytes: null, current_bytes_source: null, current_bytes_measured_at: null });
      await request(app.url).get('/api/volumes').expect(200);
      await request(app.url).get('/api/health').expect(200);
      await request(app.url).get('/api/registrations').expect(200);
      await request(app.url).get('/metrics').expect(200);
    }
    // One background walk of the new volume, however many requests asked.
    expect(walks.filter((root) => root.endsWith(`${path.sep}held`))).toEqual([path.join(app.volumesDir, 'held')]);
    release();
    const [measured] = await measuredVolumes(app.url, '?name=held');
    expect(measured).toMatchObject({ current_bytes: 10, current_bytes_source: 'scan', current_bytes_measured_at: expect.any(String) });
  });

  it('shows a registration change, a new volume and a removal in the very next answer', async () => {
    const names = async (): Promise<string[]> =>
      ((await request(app.url).get('/api/volumes?name=camera').expect(200)).body as VolumeBody[]).flatMap((v) => v.registrations.map((r) => `${String(v.volume_name)}:${String(r.path)}`));
    expect(await names()).toEqual(['camera-footage:/recordings', 'camera-footage:/snapshots']);
    expect(await names()).toEqual(['camera-footage:/recordings', 'camera-footage:/snapshots']);
    writeFile('camera-footage/clips/c.mp4', 10);
    await post('/api/register', '{"volume_name":"camera-footage","path":"/clips","algorithm":"max_size","params":{"max_bytes":1000}}').expect(201);
    expect(await names()).toEqual(['camera-footage:/clips', 'camera-footage:/recordings', 'camera-footage:/snapshots']);
    await request(app.url).delete('/api/register/camera-footage/%2Fsnapshots').expect(204);
    expect(await names()).toEqual(['camera-footage:/clips', 'camera-footage:/recordings']);
    // A volume directory that appears, with no registration: listed at once (unmeasured until its walk).
    writeFile('camera-new/x.bin', 1);
    expect(await names()).toEqual(['camera-footage:/clips', 'camera-footage:/recordings']);
    const listed = (await request(app.url).get('/api/volumes?name=camera').expect(200)).body as VolumeBody[];
    expect(listed.map((v) => v.volume_name)).toEqual(['camera-footage', 'camera-new']);
  });

  it("follows a target's index within about a second of a write, saying when the size was read", async () => {
    await measuredVolumes(app.url);
    writeFile('camera-footage/recordings/c.mp4', 700);
    const recordings = await eventually('the write in /api/volumes', async () => {
      const [camera] = (await request(app.url).get('/api/volumes?name=camera').expect(200)).body as VolumeBody[];
      const row = camera!.registrations.find((r) => r.path === '/recordings')!;
      return row.path_bytes === 5700 ? row : undefined;
    }, 10_000);
    expect(recordings).toMatchObject({ path_bytes_source: 'index', path_bytes_measured_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/) });
  });

  it("lists every volume with seed 000's fields and measured sizes", async () => {
    const volumes = await measuredVolumes(app.url);
    expect(volumes.map((v) => v.volume_name)).toEqual(['caddy_data', 'camera-footage']);
    const camera = volumes[1]!;
    expect(Object.keys(camera)).toEqual(
      expect.arrayContaining(['volume_name', 'current_bytes', 'containers', 'driver', 'created_at', 'registrations', 'tier', 'status']),
    );
    expect(camera).toMatchObject({ current_bytes: 5500, containers: [], driver: 'local', status: 'available' });
    expect(camera.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(camera.current_bytes_source).toBe('scan');
    expect(camera.registrations).toEqual([
      expect.objectContaining({ path: '/recordings', algorithm: 'max_size', path_bytes: 5000, path_bytes_source: 'index', last_cleaned: null, files_removed_last_run: null }),
      expect.objectContaining({ path: '/snapshots', algorithm: 'keep_n_latest', params: { keep_count: 100 }, path_bytes: 500, path_bytes_source: 'index' }),
    ]);
    expect(volumes[0]).toMatchObject({ volume_name: 'caddy_data', current_bytes: 100, registrations: [] });
  });

  it('filters by name and registration and sorts', async () => {
    await measuredVolumes(app.url);
    const byName = await request(app.url).get('/api/volumes?name=CADDY').expect(200);
    expect(byName.body.map((v: { volume_name: string }) => v.volume_name)).toEqual(['caddy_data']);
    const registered = await request(app.url).get('/api/volumes?registered=true').expect(200);
    expect(registered.body.map((v: { volume_name: string }) => v.volume_name)).toEqual(['camera-footage']);
    const unregistered = await request(app.url).get('/api/volumes?registered=false').expect(200);
    expect(unregistered.body.map((v: { volume_name: string }) => v.volume_name)).toEqual(['caddy_data']);
    const bySize = await request(app.url).get('/api/volumes?sort=current_bytes').expect(200);
    expect(bySize.body.map((v: { current_bytes: number }) => v.current_bytes)).toEqual([5500, 100]);
    const bad = await request(app.url).get('/api/volumes?sort=size').expect(400);
    expect(bad.body.field).toBe('sort');
  });
});

describe('event log API', () => {
  it('records every decision and filters by type, target, since and limit', async () => {
    await post('/api/register', SEED_CAMERA).expect(201);
    await post('/api/register', SEED_LOGS).expect(201);
    await request(app.url).delete('/api/register/camera-footage/%2Frecordings').expect(204);

    const all = await request(app.url).get('/api/events').expect(200);
    const types = all.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['service.started', 'registration.created', 'registration.created', 'registration.removed']);
    const seqs = all.body.events.map((e: { seq: number }) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    const camera = await request(app.url).get('/api/events').query({ target: 'camera-footage:/recordings' }).expect(200);
    expect(camera.body.events.map((e: { type: string }) => e.type)).toEqual(['registration.created', 'registration.removed']);

    const family = await request(app.url).get('/api/events?type=registration.*&limit=2').expect(200);
    expect(family.body.events.map((e: { type: string }) => e.type)).toEqual(['registration.created', 'registration.removed']);

    const after = await request(app.url).get(`/api/events?since=${seqs[1]}&limit=1`).expect(200);
    expect(after.body.events).toHaveLength(1);
    expect(after.body.events[0].seq).toBe(seqs[2]);
    expect(after.body.next_since).toBe(seqs[2]);

    const sinceDate = await request(app.url).get('/api/events?since=2000-01-01T00:00:00Z').expect(200);
    expect(sinceDate.body.events).toHaveLength(4);
    const future = await request(app.url).get('/api/events?since=2999-01-01').expect(200);
    expect(future.body.events).toEqual([]);

    expect((await request(app.url).get('/api/events?type=nope').expect(400)).body.field).toBe('type');
    expect((await request(app.url).get('/api/events?limit=0').expect(400)).body.field).toBe('limit');
    expect((await request(app.url).get('/api/events?since=yesterday').expect(400)).body.field).toBe('since');
  });
});

describe('export and import', () => {
  it('round-trips an export and merges, replaces and previews', async () => {
    await post('/api/register', SEED_CAMERA).expect(201);
    await post('/api/register', SEED_LOGS).expect(201);
    const exported = (await request(app.url).get('/api/registrations/export').expect(200)).body;
    expect(exported).toMatchObject({ version: 1, registrations: expect.any(Array) });
    expect(exported.registrations).toHaveLength(2);

    // Re-importing the export changes nothing.
    const same = await post('/api/registrations/import', JSON.stringify(exported)).expect(200);
    expect(same.body).toMatchObject({ mode: 'merge', created: 0, updated: 0, unchanged: 2, removed: 0 });

    const onlyTestVol = JSON.stringify({ registrations: [JSON.parse(SEED_TEST_VOL)] });
    const preview = await post('/api/registrations/import?mode=replace&dry_run=true', onlyTestVol).expect(200);
    expect(preview.body).toMatchObject({ dry_run: true, created: 1, removed: 2 });
    expect((await request(app.url).get('/api/registrations').expect(200)).body).toHaveLength(2);

    const replaced = await post('/api/registrations/import?mode=replace', onlyTestVol).expect(200);
    expect(replaced.body).toMatchObject({ created: 1, removed: 2 });
    const after = (await request(app.url).get('/api/registrations').expect(200)).body;
    expect(after.map((r: { volume_name: string }) => r.volume_name)).toEqual(['test-vol']);

    const merged = await post('/api/registrations/import', JSON.stringify(exported)).expect(200);
    expect(merged.body).toMatchObject({ created: 2, removed: 0 });
    expect((await request(app.url).get('/api/registrations').expect(200)).body).toHaveLength(3);
  });

  it('applies nothing when one item is invalid, and names it', async () => {
    const body = JSON.stringify({
      registrations: [JSON.parse(SEED_TEST_VOL), { volume_name: 'v', path: '/a', algorithm: 'max_size', params: { max_bytes: -1 } }],
    });
    const response = await post('/api/registrations/import', body).expect(400);
    expect(response.body.field).toBe('registrations[1].params.max_bytes');
    expect((await request(app.url).get('/api/registrations').expect(200)).body).toEqual([]);
  });
});

describe('maintenance mode', () => {
  it('is persisted across restarts', async () => {
    await post('/api/maintenance', '{"enabled":true,"reason":"disk swap"}').expect(200);
    app = await app.restart();
    const state = await request(app.url).get('/api/maintenance').expect(200);
    expect(state.body).toMatchObject({ enabled: true, reason: 'disk swap' });
    expect((await post('/api/maintenance', '{"enabled":"yes"}').expect(400)).body.field).toBe('enabled');
  });
});

describe('health and documentation', () => {
  it('reports scheduler, database, volumes and filesystems', async () => {
    writeFile('caddy_data/x', 10);
    await post('/api/register', SEED_CAMERA).expect(201);
    // A volume that appeared after start is measured by the next sampling pass (every SM_MONITOR_INTERVAL_SECONDS).
    await app.running.app.get(SchedulerService).runNow(SAMPLING_JOB);
    const health = await request(app.url).get('/api/health').expect(200);
    expect(health.body).toMatchObject({
      status: 'degraded', // camera-footage does not exist: its registration is pending
      database: { status: 'ok', events: expect.any(Number) },
      scheduler: { running: true },
    });
    expect(health.body.problems).toEqual(['1 registration(s) pending: volume missing']);
    expect(health.body.scheduler.jobs.map((j: { name: string }) => j.name)).toEqual(['alert-emergency-repeat', 'alert-refresh', 'event-log-compaction', 'filesystem-sampling', 'state-disk', 'sweep', 'volume-discovery', 'volume-usage']);
    expect(health.body.scheduler.jobs.find((j: { name: string }) => j.name === 'sweep').next_run).toEqual(expect.any(String));
    expect(health.body.volumes).toEqual([
      { volume_name: 'caddy_data', status: 'available', registrations: 0, pending: 0, quarantined: 0 },
      { volume_name: 'camera-footage', status: 'missing', registrations: 1, pending: 1, quarantined: 0 },
    ]);
    // The volumes directory and the data directory (when it exists: not with PostgreSQL) share the test's filesystem.
    expect(health.body.filesystems).toEqual([
      expect.objectContaining({ volumes: expect.arrayContaining(['caddy_data']), tier: expect.any(String), mountpoint: expect.stringMatching(/^\//) }),
    ]);
    expect(health.body.filesystems[0].total_bytes).toBeGreaterThan(0);
  });

  it('serves the OpenAPI document with every route', async () => {
    const doc = await request(app.url).get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths).sort()).toEqual([
      '/api/alerts',
      '/api/alerts/test',
      '/api/cleanup',
      '/api/emergency-cleanup',
      '/api/events',
      '/api/health',
      '/api/maintenance',
      '/api/projects/{project}/registrations',
      '/api/register',
      '/api/register/{volume_name}/{path}',
      '/api/registrations',
      '/api/registrations/export',
      '/api/registrations/import',
      '/api/registrations/{id}',
      '/api/registrations/{id}/preview',
      '/api/registrations/{id}/unquarantine',
      '/api/volumes',
      '/metrics/storage',
    ]);
    const ui = await request(app.url).get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });
});
