import { afterEach, describe, expect, it } from '@jest/globals';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TOKEN = 'a2f4e6c8-token-for-tests-only';
const BODY = JSON.stringify({ volume_name: 'v', path: '/', algorithm: 'keep_n_latest', params: { keep_count: 1 } });
let app: TestApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

function post(url: string, authorization?: string): ReturnType<typeof rawRequest> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  return rawRequest(url, 'POST', '/api/register', { headers, body: BODY });
}

describe('API token', () => {
  it('guards every mutation and leaves reads open by default', async () => {
    app = await startTestApp({ SM_API_TOKEN: TOKEN });
    const missing = await post(app.url);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.json).toMatchObject({ field: 'authorization' });
    expect((await post(app.url, `Bearer ${TOKEN.slice(0, -1)}`)).status).toBe(401);
    expect((await rawRequest(app.url, 'DELETE', '/api/register/v/%2F')).status).toBe(401);
    expect((await rawRequest(app.url, 'POST', '/api/maintenance', { headers: { 'content-type': 'application/json' }, body: '{"enabled":true}' })).status).toBe(401);
    expect((await rawRequest(app.url, 'GET', '/api/registrations')).json).toEqual([]); // nothing got through

    expect((await post(app.url, `Bearer ${TOKEN}`)).status).toBe(201);
    expect((await rawRequest(app.url, 'GET', '/api/registrations')).status).toBe(200);
    expect((await rawRequest(app.url, 'GET', '/api/health')).status).toBe(200);
    expect((await rawRequest(app.url, 'DELETE', '/api/register/v/%2F', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(204);
  });

  it('guards reads and health too with SM_PROTECT_READS=true', async () => {
    app = await startTestApp({ SM_API_TOKEN: TOKEN, SM_PROTECT_READS: 'true' });
    for (const path of ['/api/registrations', '/api/health', '/api/volumes', '/api/events']) {
      expect((await rawRequest(app.url, 'GET', path)).status).toBe(401);
      expect((await rawRequest(app.url, 'GET', path, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    }
  });
});
