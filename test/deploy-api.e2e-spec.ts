import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** PUT /api/projects/{project}/registrations through HTTP: the deploy-time registration of a compose project. */

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp({ SM_API_TOKEN: 'deploy-secret-token-0123' });
  mkdirSync(path.join(app.volumesDir, 'cam'));
});

afterEach(async () => {
  await app.close();
});

const auth = { Authorization: 'Bearer deploy-secret-token-0123' };
const reg = (p: string, maxBytes = 1000, volume = 'cam') => ({ volume_name: volume, path: p, algorithm: 'max_size', params: { max_bytes: maxBytes } });

function deploy(project: string, body: unknown): request.Test {
  return request(app.url).put(`/api/projects/${project}/registrations`).set(auth).send(body as object);
}

/** Registration changes only: measuring may record other events meanwhile. */
const CHANGES = 'type=registration.created,registration.updated,registration.removed,registrations.deployed';

async function registrations(): Promise<Array<{ volume_name: string; path: string; source: string; owner: string | null; params: object }>> {
  const response = await request(app.url).get('/api/registrations').expect(200);
  return response.body as Array<{ volume_name: string; path: string; source: string; owner: string | null; params: object }>;
}

describe('PUT /api/projects/{project}/registrations', () => {
  it('creates, then answers unchanged, then updates and removes; events are on the record', async () => {
    const first = await deploy('shop', { registrations: [reg('/rec'), reg('/old'), reg('/', 5, 'shop_logs')] }).expect(200);
    expect(first.body).toEqual({
      project: 'shop',
      dry_run: false,
      created: [
        { volume_name: 'cam', path: '/old' },
        { volume_name: 'cam', path: '/rec' },
        { volume_name: 'shop_logs', path: '/' },
      ],
      updated: [],
      removed: [],
      unchanged: [],
    });
    expect((await registrations()).map((r) => [r.volume_name, r.path, r.source, r.owner])).toEqual([
      ['cam', '/old', 'deploy', 'shop'],
      ['cam', '/rec', 'deploy', 'shop'],
      ['shop_logs', '/', 'deploy', 'shop'],
    ]);

    const seq = (await request(app.url).get('/api/events?limit=1').expect(200)).body.next_since as number;
    const again = await deploy('shop', { registrations: [reg('/rec'), reg('/old'), reg('/', 5, 'shop_logs')] }).expect(200);
    expect(again.body).toMatchObject({ created: [], updated: [], removed: [] });
    expect(again.body.unchanged).toHaveLength(3);
    expect((await request(app.url).get(`/api/events?${CHANGES}&since=${seq}`).expect(200)).body.events).toEqual([]);

    const changed = await deploy('shop', { registrations: [reg('/rec', 2000), reg('/', 5, 'shop_logs')] }).expect(200);
    expect(changed.body).toMatchObject({
      updated: [{ volume_name: 'cam', path: '/rec' }],
      removed: [{ volume_name: 'cam', path: '/old' }],
      unchanged: [{ volume_name: 'shop_logs', path: '/' }],
    });
    const events = (await request(app.url).get(`/api/events?${CHANGES}&since=${seq}`).expect(200)).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['registration.updated', 'registration.removed', 'registrations.deployed']);
    expect(events[2].payload).toEqual({ project: 'shop', created: 0, updated: 1, unchanged: 1, removed: 1 });
  });

  it('previews with dry_run and changes nothing', async () => {
    await deploy('shop', { registrations: [reg('/rec')] }).expect(200);
    const preview = await deploy('shop', { registrations: [reg('/new')], dry_run: true }).expect(200);
    expect(preview.body).toMatchObject({ dry_run: true, created: [{ path: '/new' }], removed: [{ path: '/rec' }] });
    expect((await registrations()).map((r) => r.path)).toEqual(['/rec']);
  });

  it('answers 400 naming every bad registration by index and field, and changes nothing', async () => {
    await deploy('shop', { registrations: [reg('/rec')] }).expect(200);
    const bad = await deploy('shop', {
      registrations: [reg('/fine'), { ...reg('/x'), params: { max_bytes: -1 } }, { ...reg('/../y') }, reg('/fine')],
    }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['registrations[1].params.max_bytes', 'registrations[2].path', 'registrations[3].path']);
    expect(bad.body.field).toBe('registrations[1].params.max_bytes');
    expect((await registrations()).map((r) => r.path)).toEqual(['/rec']);

    writeFileSync(path.join(app.volumesDir, 'cam', 'file'), 'x');
    const notDir = await deploy('shop', { registrations: [reg('/fine'), reg('/file')] }).expect(400);
    expect(notDir.body).toMatchObject({ field: 'registrations[1].path', message: expect.stringContaining('is not a directory') });
    expect((await registrations()).map((r) => r.path)).toEqual(['/rec']);
  });

  it('answers 400 for a project name compose would not use, an unknown field or a missing list', async () => {
    expect((await deploy('Shop', { registrations: [] }).expect(400)).body.field).toBe('project');
    expect((await deploy('-shop', { registrations: [] }).expect(400)).body.field).toBe('project');
    expect((await deploy('shop', { registrations: [], force: true }).expect(400)).body.field).toBe('force');
    expect((await deploy('shop', {}).expect(400)).body.field).toBe('registrations');
    expect((await deploy('shop', { registrations: [], dry_run: 'yes' }).expect(400)).body.field).toBe('dry_run');
  });

  it('answers 409 when a declared target is held by the API or another project, naming each; nothing changes', async () => {
    await request(app.url).post('/api/register').set(auth).send(reg('/by-api')).expect(201);
    await deploy('blog', { registrations: [reg('/by-blog')] }).expect(200);
    const before = await registrations();
    const conflict = await deploy('shop', { registrations: [reg('/free'), reg('/by-api'), reg('/by-blog')] }).expect(409);
    expect(conflict.body).toMatchObject({ statusCode: 409, error: 'conflict', field: 'registrations[1]' });
    expect(conflict.body.details).toEqual([
      { field: 'registrations[1]', message: 'cam:/by-api is already registered by the API (POST /api/register)' },
      { field: 'registrations[2]', message: 'cam:/by-blog is already registered by project "blog" (deploy)' },
    ]);
    await deploy('shop', { registrations: [reg('/by-api')], dry_run: true }).expect(409);
    expect(await registrations()).toEqual(before);
  });

  it('needs the token like every mutating request', async () => {
    const refused = await request(app.url).put('/api/projects/shop/registrations').send({ registrations: [] }).expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401, error: 'unauthorized' });
  });
});
