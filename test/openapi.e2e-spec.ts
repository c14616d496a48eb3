import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import * as responses from '../src/api-docs/responses.js';
import { API_SCHEMA_FILE, renderApiSchema } from '../src/cli/render-api-schema.js';
import { rawRequest, type RawResponse } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The served OpenAPI document: valid OpenAPI 3.0 for standard validators and client generators, every route
 * with its request and response schemas, the real answers as documented, and the committed typed client
 * generated from exactly this document.
 */

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: Array<{ name: string; in: string; schema?: unknown }>;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

let app: TestApp;
let document: Document;

beforeAll(async () => {
  app = await startTestApp();
  const response = await rawRequest(app.url, 'GET', '/api/docs-json');
  if (response.status !== 200) throw new Error(`GET /api/docs-json answered ${response.status}`);
  document = response.json as Document;
});

afterAll(async () => {
  await app.close();
});

/** The keywords used anywhere in the document (the names in a `properties` map are not keywords). */
function keywords(value: unknown, names = false): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keywords(item));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [...(names ? [] : [key]), ...keywords(item, !names && key === 'properties')]);
}

function operations(): Array<[string, string, Operation]> {
  return Object.entries(document.paths).flatMap(([route, item]) => Object.entries(item).map(([method, op]): [string, string, Operation] => [method, route, op]));
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.0 for a standard validator', async () => {
    expect(document.openapi).toMatch(/^3\.0\.\d+$/);
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('carries no JSON Schema keyword that OpenAPI 3.0 does not know', () => {
    const foreign = ['const', '$schema', '$id', '$defs', 'definitions', 'prefixItems', 'propertyNames', 'unevaluatedProperties'];
    expect(keywords(document).filter((keyword) => foreign.includes(keyword))).toEqual([]);
    expect(keywords(document)).toContain('nullable');
  });

  it('describes every route with its request and response schemas', () => {
    const missing: string[] = [];
    for (const [method, route, op] of operations()) {
      const name = `${method.toUpperCase()} ${route}`;
      // Actions without a body: unquarantine, the alert channel test.
      if (method === 'post' && !route.endsWith('/unquarantine') && route !== '/api/alerts/test' && !op.requestBody?.content?.['application/json']?.schema) {
        missing.push(`${name}: request body schema`);
      }
      for (const [status, answer] of Object.entries(op.responses)) {
        if (status !== '204' && !answer.content?.['application/json']?.schema) missing.push(`${name}: ${status} schema`);
      }
      if (!Object.keys(op.responses).some((status) => status.startsWith('2'))) missing.push(`${name}: a success answer`);
      for (const parameter of op.parameters ?? []) if (!parameter.schema) missing.push(`${name}: schema of ${parameter.in} ${parameter.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('spells out one register body per algorithm, with that policy\'s params', async () => {
    const resolved = (await SwaggerParser.dereference(structuredClone(document) as never)) as unknown as Document;
    const body = resolved.paths['/api/register']!.post!.requestBody!.content!['application/json']!.schema as {
      oneOf: Array<{ properties: { algorithm: { enum: string[] }; params: { required?: string[]; properties: Record<string, unknown> } } }>;
    };
    expect(body.oneOf.map((b) => b.properties.algorithm.enum)).toEqual([['max_size'], ['remove_before_date'], ['keep_n_latest'], ['orphans']]);
    const maxSize = body.oneOf[0]!.properties.params;
    expect(maxSize.required).toEqual(['max_bytes']);
    expect(maxSize.properties.watch).toEqual({ anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['poll'] }] });
    const query = resolved.paths['/api/events']!.get!.parameters!.find((p) => p.name === 'limit');
    expect(query?.schema).toEqual({ type: 'integer', minimum: 1, maximum: 1000 });
  });
});

describe('the answers', () => {
  /** Checks an answer against the documented status and schema: nothing missing, nothing undocumented. */
  function expectDocumented(
    response: RawResponse,
    route: string,
    method: string,
    status: number,
    schema: z.ZodType,
    options: { open?: boolean } = {},
  ): void {
    expect({ status: response.status, text: response.text.slice(0, 300) }).toMatchObject({ status });
    expect(Object.keys(document.paths[route]?.[method]?.responses ?? {})).toContain(String(status));
    const parsed = schema.safeParse(response.json);
    expect(parsed.error?.issues ?? []).toEqual([]);
    if (!options.open) expect(parsed.data).toEqual(response.json);
  }

  const json = { 'content-type': 'application/json' };
  const call = (method: string, url: string, body?: unknown): Promise<RawResponse> =>
    rawRequest(app.url, method, url, body === undefined ? {} : { headers: json, body: JSON.stringify(body) });

  it('match the documented schemas, route by route', async () => {
    mkdirSync(path.join(app.volumesDir, 'cam', 'rec'), { recursive: true });
    writeFileSync(path.join(app.volumesDir, 'cam', 'rec', 'a.mp4'), Buffer.alloc(1000));
    const registration = { volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 5000 }, description: 'camera' };

    const created = await call('POST', '/api/register', registration);
    expectDocumented(created, '/api/register', 'post', 201, responses.registerResponse);
    expectDocumented(await call('POST', '/api/register', registration), '/api/register', 'post', 200, responses.registerResponse);
    const id = (created.json as { id: string }).id;

    expectDocumented(await call('GET', '/api/registrations'), '/api/registrations', 'get', 200, responses.registrationResponse.array());
    expectDocumented(await call('GET', `/api/registrations/${id}`), '/api/registrations/{id}', 'get', 200, responses.registrationResponse);
    expectDocumented(await call('GET', `/api/registrations/${id}/preview`), '/api/registrations/{id}/preview', 'get', 200, responses.previewResponse);
    expectDocumented(
      await call('POST', `/api/registrations/${id}/unquarantine`),
      '/api/registrations/{id}/unquarantine',
      'post',
      200,
      responses.registrationResponse,
    );
    const exported = await call('GET', '/api/registrations/export');
    expectDocumented(exported, '/api/registrations/export', 'get', 200, responses.exportResponse);
    expectDocumented(
      await call('POST', '/api/registrations/import?dry_run=true', exported.json),
      '/api/registrations/import',
      'post',
      200,
      responses.importResponse,
    );
    const declared = { registrations: [{ ...registration, path: '/deployed' }], dry_run: true };
    expectDocumented(
      await call('PUT', '/api/projects/shop/registrations', declared),
      '/api/projects/{project}/registrations',
      'put',
      200,
      responses.deployResponse,
    );
    expectDocumented(await call('POST', '/api/cleanup', { dry_run: true }), '/api/cleanup', 'post', 200, responses.cleanupRunResponse);
    expectDocumented(await call('GET', '/api/volumes'), '/api/volumes', 'get', 200, responses.volumeResponse.array());
    expectDocumented(await call('GET', '/api/events?limit=5'), '/api/events', 'get', 200, responses.eventPageResponse);
    expectDocumented(await call('POST', '/api/maintenance', { enabled: true, reason: 'disk swap' }), '/api/maintenance', 'post', 200, responses.maintenanceResponse);
    expectDocumented(await call('GET', '/api/maintenance'), '/api/maintenance', 'get', 200, responses.maintenanceResponse);
    // Health gains fields as the product grows: its documented fields must be there, further ones may be.
    expectDocumented(await call('GET', '/api/health'), '/api/health', 'get', 200, responses.healthResponse, { open: true });
    expectDocumented(await call('GET', '/metrics/storage'), '/metrics/storage', 'get', 200, responses.storageReportResponse);
    expectDocumented(await call('GET', '/api/alerts'), '/api/alerts', 'get', 200, responses.alertsResponse);
    expectDocumented(await call('POST', '/api/emergency-cleanup', { dry_run: true }), '/api/emergency-cleanup', 'post', 200, responses.emergencyReportResponse);
    expectDocumented(await call('POST', '/api/alerts/test'), '/api/alerts/test', 'post', 200, responses.alertTestResponse);

    const removed = await call('DELETE', '/api/register/cam/%2Frec');
    expect(removed.status).toBe(204);
    expect(Object.keys(document.paths['/api/register/{volume_name}/{path}']!.delete!.responses)).toContain('204');
  });

  it('answer errors with the documented error body', async () => {
    expectDocumented(await call('POST', '/api/register', { volume_name: 'cam' }), '/api/register', 'post', 400, responses.errorResponse);
    expectDocumented(await call('GET', '/api/events?limit=0'), '/api/events', 'get', 400, responses.errorResponse);
    const taken = { registrations: [{ volume_name: 'cam', path: '/taken', algorithm: 'max_size', params: { max_bytes: 1 } }] };
    expect((await call('POST', '/api/register', taken.registrations[0])).status).toBe(201);
    const conflict = await call('PUT', '/api/projects/shop/registrations', taken);
    expectDocumented(conflict, '/api/projects/{project}/registrations', 'put', 409, responses.errorResponse);
    expectDocumented(await call('GET', '/api/registrations/nope'), '/api/registrations/{id}', 'get', 404, responses.errorResponse);
    expectDocumented(await call('DELETE', '/api/register/cam/%2Fnone'), '/api/register/{volume_name}/{path}', 'delete', 404, responses.errorResponse);
    const text = await rawRequest(app.url, 'POST', '/api/maintenance', { headers: { 'content-type': 'text/plain' }, body: 'on' });
    expectDocumented(text, '/api/maintenance', 'post', 415, responses.errorResponse);
  });
});

describe('the typed client', () => {
  it('is generated from exactly the served document (run `npm run openapi:types` after changing the API)', async () => {
    expect(await renderApiSchema(document)).toBe(readFileSync(API_SCHEMA_FILE, 'utf8'));
  });
});
