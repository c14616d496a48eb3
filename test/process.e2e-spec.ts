import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { rawRequest } from './support/raw-http.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { createTestDatabase, TEST_DB_KIND, type TestDatabase } from './support/test-database.js';

/** The built service as a process: start-up validation, embedded defaults, graceful shutdown. */

let dir: string;
let db: TestDatabase;
const started: ServiceProcess[] = [];

function start(env: Record<string, string>): ServiceProcess {
  const service = spawnService(env, dir);
  started.push(service);
  return service;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-process-'));
  db = await createTestDatabase(path.join(dir, 'data'));
});

afterEach(async () => {
  for (const service of started.splice(0)) {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('start-up configuration', () => {
  it.each([
    [{ SM_API_PORT: 'ninety' }, /SM_API_PORT="ninety" must be a whole number from 0 to 65535/],
    [{ SM_LOG_LEVEL: 'TRACE' }, /SM_LOG_LEVEL="TRACE" must be one of DEBUG, INFO, WARNING, ERROR/],
    [{ SM_CHECK_INTERVAL_SECONDS: '0' }, /SM_CHECK_INTERVAL_SECONDS="0"/],
    [{ SM_DB_URL: 'mysql://root@localhost/x' }, /SM_DB_URL must be a URL starting with postgres:\/\//],
  ])('refuses to start on %j, naming the variable', async (env, message) => {
    const service = start(env);
    expect(await service.exited).toBe(78);
    expect(service.output()).toMatch(message);
  });

  it('never prints the API token or a database password', async () => {
    const secretToken = 'tok-3f9a8b7c6d5e4f3a2b1c';
    const service = start({ ...db.env, SM_API_PORT: '0', SM_API_TOKEN: secretToken, SM_LOG_LEVEL: 'DEBUG' });
    await service.ready;
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    // The token, and on the PostgreSQL run the database password too.
    const secrets = [secretToken, ...(db.env.SM_DB_URL ? [new URL(db.env.SM_DB_URL).password] : [])];
    expect(secrets.filter((secret) => secret !== '')).toHaveLength(TEST_DB_KIND === 'postgres' ? 2 : 1);
    expect(secrets.filter((secret) => service.output().includes(secret))).toEqual([]);
  });
});

describe('embedded defaults', () => {
  // The embedded default is SQLite by definition: the PostgreSQL run checks that SM_DB_URL is used instead.
  if (TEST_DB_KIND === 'sqlite') {
    it('answers on port 9100 with ./data in the working directory', async () => {
      const service = start({});
      const url = await service.ready;
      expect(url).toBe('http://127.0.0.1:9100');
      const health = await rawRequest(url, 'GET', '/api/health');
      expect(health.status).toBe(200);
      expect(existsSync(path.join(dir, 'data', 'storage_manager.db'))).toBe(true);
      expect(existsSync(path.join(dir, 'data', 'volumes'))).toBe(true);
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    });
  } else {
    it('uses SM_DB_URL rather than an embedded SQLite file (port 9100 and ./data are checked by the SQLite run)', async () => {
      const service = start({ ...db.env, SM_API_PORT: '0' });
      await service.ready;
      expect(existsSync(path.join(dir, 'data', 'storage_manager.db'))).toBe(false);
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    });
  }
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request, closes the database and exits 0 on SIGTERM', async () => {
    const env = { ...db.env, SM_API_PORT: '0', SM_VOLUMES_DIR: path.join(dir, 'volumes'), SM_LOG_LEVEL: 'DEBUG' };
    const service = start(env);
    const url = new URL(await service.ready);
    const body = JSON.stringify({ volume_name: 'logs', path: '/', algorithm: 'remove_before_date', params: { max_age_days: 14 } });

    // Send the headers and half the body, so the request is in flight when the signal arrives.
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('close', () => resolve(text));
    });
    socket.write(
      `POST /api/register HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(body.slice(0, 20));
    await service.waitForOutput(/POST \/api\/register received/); // the server is handling it
    service.child.kill('SIGTERM');
    await service.waitForOutput(/Shutting down \(SIGTERM\)/);
    socket.write(body.slice(20));

    expect(await answer).toMatch(/^HTTP\/1\.1 201 Created/);
    expect(await service.exited).toBe(0);
    expect(service.output()).toMatch(/Stopped cleanly/);

    const again = start(env);
    const list = await rawRequest(await again.ready, 'GET', '/api/registrations');
    expect((list.json as Array<{ volume_name: string }>).map((r) => r.volume_name)).toEqual(['logs']);
  });
});
