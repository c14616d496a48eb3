import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Generated malformed requests: every one must get a 4xx whose body names the faulty field, none a 5xx,
 * nothing may be persisted, and the service must still serve afterwards.
 */

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string | null;
  /** The field the answer must name. */
  readonly field: string;
  readonly status?: number;
}

const VALID = { volume_name: 'camera-footage', path: '/recordings', algorithm: 'max_size', params: { max_bytes: 1000 } };

function registerCase(name: string, body: unknown, field: string): Case {
  return { name, method: 'POST', path: '/api/register', body: JSON.stringify(body), field };
}

function withParams(algorithm: string, params: unknown): unknown {
  return { ...VALID, algorithm, params };
}

function generateCases(): Case[] {
  const cases: Case[] = [];

  // Bodies that are not JSON at all.
  const brokenJson = ['{', '{"volume_name":}', '{"a":1,}', "{'a':1}", 'nul', '[1,2', '{"a":"\\x"}', '{"a":1}}', '\u0000', '{"a":01}', 'undefined', '{a:1}'];
  for (const body of brokenJson) cases.push({ name: `invalid JSON ${JSON.stringify(body)}`, method: 'POST', path: '/api/register', body, field: 'body' });

  // Wrong content types.
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', null]) {
    cases.push({ name: `content type ${contentType}`, method: 'POST', path: '/api/register', body: JSON.stringify(VALID), contentType, field: 'content-type', status: 415 });
  }
  cases.push({ name: 'non-UTF-8 charset', method: 'POST', path: '/api/register', body: JSON.stringify(VALID), contentType: 'application/json; charset=latin1', field: 'content-type', status: 415 });

  // Oversized body.
  cases.push({
    name: 'body over the limit',
    method: 'POST',
    path: '/api/register',
    body: JSON.stringify({ ...VALID, description: 'x'.repeat(1_100_000) }),
    field: 'body',
    status: 413,
  });

  // Bodies that are JSON but not an object.
  for (const body of ['[]', '"text"', '5', 'null', 'true', '[{"volume_name":"a"}]']) {
    cases.push({ name: `non-object body ${body}`, method: 'POST', path: '/api/register', body, field: 'body' });
  }
  cases.push({ name: 'empty body', method: 'POST', path: '/api/register', body: '', field: 'body' });

  // Missing and ill-typed top-level fields.
  const wrongValues: unknown[] = [42, true, null, [], {}, ''];
  for (const field of ['volume_name', 'path', 'algorithm'] as const) {
    const { [field]: _dropped, ...rest } = VALID;
    cases.push(registerCase(`missing ${field}`, rest, field));
    for (const value of wrongValues) cases.push(registerCase(`${field} = ${JSON.stringify(value)}`, { ...VALID, [field]: value }, field));
  }
  for (const value of [42, 'x', [], null, true]) cases.push(registerCase(`params = ${JSON.stringify(value)}`, { ...VALID, params: value }, 'params'));
  for (const value of [42, [], {}, true, 'x'.repeat(1001)]) {
    cases.push(registerCase(`description = ${JSON.stringify(value).slice(0, 20)}`, { ...VALID, description: value }, 'description'));
  }
  for (const extra of ['volume', 'algo', 'id_', 'policy', 'max_bytes']) cases.push(registerCase(`unknown field ${extra}`, { ...VALID, [extra]: 1 }, extra));
  for (const algorithm of ['maxsize', 'MAX_SIZE', 'delete_all', 'rm -rf', '__proto__', 'constructor', 'toString']) {
    cases.push(registerCase(`unknown algorithm ${algorithm}`, { ...VALID, algorithm }, 'algorithm'));
  }

  // Paths that try to escape or are malformed.
  const badPaths = ['..', '/..', '/recordings/..', '/a/../b', '../etc', '/./a', '.', 'a/./b', '/a/\u0000b', '\u0000', 'x'.repeat(5000), `/${'y'.repeat(256)}`, '/ok/../../..', '/%2e%2e/x'.replace('%2e%2e', '..')];
  for (const value of badPaths) cases.push(registerCase(`path ${JSON.stringify(value).slice(0, 30)}`, { ...VALID, path: value }, 'path'));

  // Volume names.
  const badVolumes = ['../x', 'a/b', '-x', '.x', '_x', 'a b', 'x'.repeat(256), 'vol\u0000', 'é', '/abs'];
  for (const value of badVolumes) cases.push(registerCase(`volume_name ${JSON.stringify(value).slice(0, 30)}`, { ...VALID, volume_name: value }, 'volume_name'));

  // max_size.
  for (const value of [-1, 1.5, '100', null, true, [], {}, 2 ** 60, Number.NaN]) {
    cases.push(registerCase(`max_size max_bytes ${typeof value}:${JSON.stringify(value)}`, withParams('max_size', { max_bytes: value }), 'params.max_bytes'));
  }
  cases.push(registerCase('max_size without max_bytes', withParams('max_size', { sort_by: 'mtime' }), 'params.max_bytes'));
  for (const value of ['name', 'MTIME', '', 1, null, 'atime']) {
    cases.push(registerCase(`max_size sort_by ${String(value)}`, withParams('max_size', { max_bytes: 1, sort_by: value }), 'params.sort_by'));
  }
  for (const extra of ['keep_count', 'max_age_days', 'maxbytes', 'sortBy', 'pattern']) {
    cases.push(registerCase(`max_size unknown param ${extra}`, withParams('max_size', { max_bytes: 1, [extra]: 1 }), `params.${extra}`));
  }

  // keep_n_latest.
  for (const value of [-1, 0.5, '10', null, false]) {
    cases.push(registerCase(`keep_n_latest keep_count ${String(value)}`, withParams('keep_n_latest', { keep_count: value }), 'params.keep_count'));
  }
  cases.push(registerCase('keep_n_latest without keep_count', withParams('keep_n_latest', {}), 'params.keep_count'));
  cases.push(registerCase('keep_n_latest with max_bytes', withParams('keep_n_latest', { keep_count: 1, max_bytes: 5 }), 'params.max_bytes'));

  // remove_before_date.
  const badDates = ['yesterday', '2026-13-01', '2026-02-30', '2026-01-15T08:30:00', '2026-01-15 08:30', '15/01/2026', '2026-1-5', '', '2026-01-15T25:00:00Z', '2026-01-15T08:30:00+25:00', 1700000000];
  for (const value of badDates) {
    cases.push(registerCase(`before_date ${String(value)}`, withParams('remove_before_date', { before_date: value }), 'params.before_date'));
  }
  for (const value of [0, -1, '14', null, Number.POSITIVE_INFINITY, true]) {
    cases.push(registerCase(`max_age_days ${String(value)}`, withParams('remove_before_date', { max_age_days: value }), 'params.max_age_days'));
  }
  cases.push(registerCase('before_date with max_age_days', withParams('remove_before_date', { before_date: '2026-01-01', max_age_days: 3 }), 'params.max_age_days'));
  cases.push(registerCase('remove_before_date without threshold', withParams('remove_before_date', { age_by: 'mtime' }), 'params'));
  for (const value of ['size', 'atime', 1]) {
    cases.push(registerCase(`age_by ${String(value)}`, withParams('remove_before_date', { max_age_days: 1, age_by: value }), 'params.age_by'));
  }

  // orphans.
  cases.push(registerCase('orphans without companion', withParams('orphans', { pattern: '*.json' }), 'params.companion'));
  cases.push(registerCase('orphans without pattern', withParams('orphans', { companion: '{stem}.jpg' }), 'params.pattern'));
  for (const value of ['image.jpg', '', '../{stem}.jpg', '/abs/{stem}.jpg', 5]) {
    cases.push(registerCase(`orphans companion ${String(value)}`, withParams('orphans', { pattern: '*.json', companion: value }), 'params.companion'));
  }
  for (const value of ['', '../*.json', 7, ['*.json']]) {
    cases.push(registerCase(`orphans pattern ${JSON.stringify(value)}`, withParams('orphans', { pattern: value, companion: '{stem}.jpg' }), 'params.pattern'));
  }

  // Common params.
  const common: Array<[string, unknown]> = [
    ['min_age_seconds', -1],
    ['min_age_seconds', '60'],
    ['delete_empty_dirs', 'yes'],
    ['delete_empty_dirs', 1],
    ['dry_run', 'true'],
    ['dry_run', null],
    ['priority', 1.5],
    ['priority', 'high'],
    ['watch', 'yes'],
    ['watch', 1],
    ['warning_bytes', -5],
    ['critical_bytes', 'lots'],
    ['include', ''],
    ['include', 5],
    ['include', ['ok', '../up']],
    ['exclude', [1]],
    ['exclude', 'a/../../b'],
    ['emergency', 'strict'],
    ['emergency', []],
  ];
  for (const [name, value] of common) {
    cases.push(registerCase(`common ${name}=${JSON.stringify(value)}`, withParams('max_size', { max_bytes: 1, [name]: value }), `params.${name}`));
  }
  cases.push(registerCase('emergency without own param', withParams('keep_n_latest', { keep_count: 5, emergency: {} }), 'params.emergency'));
  cases.push(registerCase('emergency keep_count -1', withParams('keep_n_latest', { keep_count: 5, emergency: { keep_count: -1 } }), 'params.emergency.keep_count'));
  cases.push(registerCase('emergency unknown algorithm', withParams('keep_n_latest', { keep_count: 5, emergency: { algorithm: 'nuke' } }), 'params.emergency.algorithm'));
  cases.push(registerCase('emergency unknown param', withParams('keep_n_latest', { keep_count: 5, emergency: { keep_count: 1, dry_run: true } }), 'params.emergency.dry_run'));
  cases.push(registerCase('emergency other algorithm incomplete', withParams('keep_n_latest', { keep_count: 5, emergency: { algorithm: 'max_size' } }), 'params.emergency.max_bytes'));

  // DELETE with bad addresses.
  for (const [volume, encoded] of [
    ['camera-footage', '%2F..%2Fetc'],
    ['camera-footage', '%2E%2E'],
    ['camera-footage', '%2Fa%00b'],
    ['camera-footage', '%2F.%2Fa'],
    ['-bad', '%2Fx'],
    ['a%20b', '%2Fx'],
  ] as const) {
    const field = volume === 'camera-footage' ? 'path' : 'volume_name';
    cases.push({ name: `DELETE ${volume}/${encoded}`, method: 'DELETE', path: `/api/register/${volume}/${encoded}`, field });
  }

  // Query parameters.
  for (const [path, field] of [
    ['/api/volumes?registered=maybe', 'registered'],
    ['/api/volumes?registered=1x', 'registered'],
    ['/api/volumes?sort=size', 'sort'],
    ['/api/volumes?sort=', undefined],
    ['/api/volumes?name=a&name=b', 'name'],
    ['/api/events?limit=abc', 'limit'],
    ['/api/events?limit=-1', 'limit'],
    ['/api/events?limit=5000', 'limit'],
    ['/api/events?limit=1.5', 'limit'],
    ['/api/events?type=registration.nope', 'type'],
    ['/api/events?type=a.*,b.*', 'type'],
    ['/api/events?since=last-week', 'since'],
    ['/api/events?since=2026-01-01T00:00:00', 'since'],
    ['/api/events?target=a&target=b', 'target'],
    ['/api/registrations/import?mode=overwrite', 'mode'],
  ] as const) {
    if (field === undefined) continue;
    const method = path.includes('import') ? 'POST' : 'GET';
    cases.push({ name: `query ${path}`, method, path, field, body: method === 'POST' ? '{"registrations":[]}' : undefined });
  }

  // Import bodies.
  const importCases: Array<[string, unknown, string]> = [
    ['import array body', [], 'body'],
    ['import without registrations', {}, 'registrations'],
    ['import registrations object', { registrations: {} }, 'registrations'],
    ['import version 2', { version: 2, registrations: [] }, 'version'],
    ['import mode wrong', { mode: 'all', registrations: [] }, 'mode'],
    ['import unknown field', { registrations: [], extra: true }, 'extra'],
    ['import item not object', { registrations: [5] }, 'registrations[0]'],
    ['import item bad path', { registrations: [{ ...VALID, path: '/..' }] }, 'registrations[0].path'],
    ['import duplicate target', { registrations: [VALID, { ...VALID, path: '/recordings/' }] }, 'registrations[1].path'],
    ['import second item bad', { registrations: [VALID, { ...VALID, algorithm: 'x' }] }, 'registrations[1].algorithm'],
  ];
  for (const [name, body, field] of importCases) {
    cases.push({ name, method: 'POST', path: '/api/registrations/import', body: JSON.stringify(body), field });
  }

  // Deploy bodies and project names (PUT /api/projects/{project}/registrations).
  const deployCases: Array<[string, string, unknown, string]> = [
    ['deploy array body', 'shop', [], 'body'],
    ['deploy without registrations', 'shop', {}, 'registrations'],
    ['deploy registrations object', 'shop', { registrations: {} }, 'registrations'],
    ['deploy unknown field', 'shop', { registrations: [], mode: 'replace' }, 'mode'],
    ['deploy dry_run string', 'shop', { registrations: [], dry_run: 'true' }, 'dry_run'],
    ['deploy item not object', 'shop', { registrations: [VALID, 'x'] }, 'registrations[1]'],
    ['deploy item export field', 'shop', { registrations: [{ ...VALID, id: 'x' }] }, 'registrations[0].id'],
    ['deploy item bad param', 'shop', { registrations: [{ ...VALID, params: { max_bytes: -1 } }] }, 'registrations[0].params.max_bytes'],
    ['deploy duplicate target', 'shop', { registrations: [VALID, { ...VALID, path: 'recordings' }] }, 'registrations[1].path'],
    ['deploy project uppercase', 'Shop', { registrations: [] }, 'project'],
    ['deploy project leading dash', '-shop', { registrations: [] }, 'project'],
    ['deploy project dot', 'my.shop', { registrations: [] }, 'project'],
    ['deploy project too long', 'p'.repeat(256), { registrations: [] }, 'project'],
  ];
  for (const [name, project, body, field] of deployCases) {
    cases.push({ name, method: 'PUT', path: `/api/projects/${project}/registrations`, body: JSON.stringify(body), field });
  }
  cases.push({ name: 'deploy not JSON', method: 'PUT', path: '/api/projects/shop/registrations', body: '{"registrations":', field: 'body' });
  cases.push({ name: 'deploy text body', method: 'PUT', path: '/api/projects/shop/registrations', body: '{}', contentType: 'text/plain', field: 'content-type', status: 415 });

  // Maintenance bodies.
  for (const [name, body, field] of [
    ['maintenance missing enabled', {}, 'enabled'],
    ['maintenance enabled string', { enabled: 'on' }, 'enabled'],
    ['maintenance reason number', { enabled: true, reason: 5 }, 'reason'],
    ['maintenance reason too long', { enabled: true, reason: 'r'.repeat(1001) }, 'reason'],
    ['maintenance unknown field', { enabled: true, until: 'tomorrow' }, 'until'],
    ['maintenance array', [true], 'body'],
  ] as const) {
    cases.push({ name, method: 'POST', path: '/api/maintenance', body: JSON.stringify(body), field });
  }

  // Cleanup bodies.
  for (const [name, body, field] of [
    ['cleanup array', [], 'body'],
    ['cleanup number', 5, 'body'],
    ['cleanup unknown field', { force: true }, 'force'],
    ['cleanup volume_name number', { volume_name: 7 }, 'volume_name'],
    ['cleanup volume_name escaping', { volume_name: '../x' }, 'volume_name'],
    ['cleanup path without volume_name', { path: '/recordings' }, 'path'],
    ['cleanup path escaping', { volume_name: 'camera-footage', path: '/recordings/../..' }, 'path'],
    ['cleanup path NUL', { volume_name: 'camera-footage', path: '/a\u0000b' }, 'path'],
    ['cleanup dry_run string', { dry_run: 'yes' }, 'dry_run'],
    ['cleanup unregistered target', { volume_name: 'camera-footage', path: '/nothing-here' }, 'path'],
  ] as const) {
    cases.push({ name, method: 'POST', path: '/api/cleanup', body: JSON.stringify(body), field });
  }

  // More query strings and addresses.
  for (const [path, field, body] of [
    ['/api/events?limit=1&limit=2', 'limit', undefined],
    ['/api/events?since=1&since=2', 'since', undefined],
    ['/api/volumes?sort=volume_name&sort=created_at', 'sort', undefined],
    ['/api/volumes?registered=TRUE', 'registered', undefined],
    ['/api/registrations/import?dry_run=maybe', 'dry_run', '{"registrations":[]}'],
    ['/api/registrations/import?mode=merge', 'mode', '{"mode":"everything","registrations":[]}'],
    [`/api/register/${'v'.repeat(256)}/%2Fx`, 'volume_name', undefined],
    ['/api/register/camera-footage/%2F%2E%2E', 'path', undefined],
  ] as const) {
    const method = path.startsWith('/api/register/') ? 'DELETE' : path.includes('import') ? 'POST' : 'GET';
    cases.push({ name: `${method} ${path.slice(0, 80)}`, method, path, field, body });
  }
  return cases;
}

/** Whether the answered field is the expected one or inside it (`params.include[1]` is in `params.include`). */
function names(answered: string | undefined, expected: string): boolean {
  return answered === expected || (answered?.startsWith(`${expected}[`) ?? false) || (answered?.startsWith(`${expected}.`) ?? false);
}

const CASES = generateCases();
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app.close();
});

describe('malformed requests', () => {
  it('generates at least 200 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(200);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it(`answers each of the ${CASES.length} with a 4xx naming the field, never a 5xx`, async () => {
    const failures: string[] = [];
    for (const testCase of CASES) {
      const headers: Record<string, string> = {};
      if (testCase.body !== undefined && testCase.contentType !== null) headers['content-type'] = testCase.contentType ?? 'application/json';
      const response = await rawRequest(app.url, testCase.method, testCase.path, { headers, body: testCase.body });
      const body = response.json as { field?: string; message?: string; details?: Array<{ field: string }> } | undefined;
      const fields = [body?.field, ...(body?.details ?? []).map((d) => d.field)];
      const expectedStatus = testCase.status ?? (response.status >= 400 && response.status < 500 ? response.status : 400);
      if (response.status !== expectedStatus || response.status >= 500) {
        failures.push(`${testCase.name}: status ${response.status} ${response.text.slice(0, 200)}`);
      } else if (!fields.some((f) => names(f, testCase.field)) || !body?.message?.includes(testCase.field)) {
        failures.push(`${testCase.name}: expected field ${testCase.field}, got ${response.text.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('persisted nothing and still serves', async () => {
    const registrations = await rawRequest(app.url, 'GET', '/api/registrations');
    expect(registrations.status).toBe(200);
    expect(registrations.json).toEqual([]);
    expect((await rawRequest(app.url, 'GET', '/api/maintenance')).json).toMatchObject({ enabled: false });
    const ok = await rawRequest(app.url, 'POST', '/api/register', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(VALID),
    });
    expect(ok.status).toBe(201);
    expect((await rawRequest(app.url, 'GET', '/api/health')).status).toBe(200);
  });
});
