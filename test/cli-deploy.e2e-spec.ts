import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { runCli, type CliResult } from './support/cli.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * `storage-manager deploy` (the built CLI, as a child process) against a real service, on real compose files in
 * a temporary project directory: create, re-run, change, remove, invalid labels, interpolation, list labels,
 * volume names, the trust rule. The server's registrations are read before and after every refusal.
 */

const TOKEN = 'deploy-cli-token-0123456789';

interface Registration {
  id: string;
  volume_name: string;
  path: string;
  algorithm: string;
  params: Record<string, unknown>;
  description: string | null;
  source: string;
  owner: string | null;
  updated_at: string;
}

let app: TestApp;
let work: string;
let project: string;

beforeAll(async () => {
  app = await startTestApp({ SM_API_TOKEN: TOKEN });
});

afterAll(async () => {
  await app.close();
});

beforeEach(async () => {
  // A project directory whose name compose normalises: "Camera.Stack" is the project "camerastack".
  work = mkdtempSync(path.join(tmpdir(), 'sm-deploy-'));
  project = path.join(work, 'Camera.Stack');
  mkdirSync(project);
  // Each test starts from no registration at all.
  for (const r of await registrations()) {
    await request(app.url).delete(`/api/register/${r.volume_name}/${encodeURIComponent(r.path)}`).set('Authorization', `Bearer ${TOKEN}`).expect(204);
  }
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(project, name);
  writeFileSync(file, text);
  return file;
}

function deploy(args: readonly string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['--url', app.url, 'deploy', ...args], { cwd: project, env: { SM_API_TOKEN: TOKEN, ...env } });
}

async function registrations(): Promise<Registration[]> {
  const response = await request(app.url).get('/api/registrations').expect(200);
  return response.body as Registration[];
}

const targets = async (): Promise<string[]> => (await registrations()).map((r) => `${r.volume_name}:${r.path} ${r.source}/${r.owner ?? '-'}`);

/** A camera stack: labels as a map and as a list, a compose-level volume, interpolation with defaults. */
const STACK = `
services:
  recorder:
    image: camera
    volumes:
      - footage:/recordings
    labels:
      storage-manager.0.volume: footage
      storage-manager.0.path: /recordings
      storage-manager.0.algorithm: max_size
      storage-manager.0.max_bytes: "\${FOOTAGE_MAX_BYTES}"
      storage-manager.0.sort_by: mtime
      storage-manager.1.volume: footage
      storage-manager.1.path: /snapshots
      storage-manager.1.algorithm: keep_n_latest
      storage-manager.1.keep_count: "\${SNAPSHOTS:-100}"
  app:
    image: code-server
    volumes:
      - type: volume
        source: logs
        target: /app/logs
    labels:
      - "storage-manager.0.volume=logs"
      - "storage-manager.0.path=/"
      - "storage-manager.0.algorithm=remove_before_date"
      - "storage-manager.0.max_age_days=\${LOG_DAYS-14}"
      - "storage-manager.0.description=Rotate logs, keep $$LOG_DAYS days"
volumes:
  footage:
  logs:
`;

describe('storage-manager deploy', () => {
  it('creates the declared registrations, then re-runs without changing anything', async () => {
    write('docker-compose.yml', STACK);
    write('.env', 'FOOTAGE_MAX_BYTES=5368709120\n# comment\nSNAPSHOTS=\n');
    const first = await deploy(['-f', 'docker-compose.yml']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('Project "camerastack" (name from the directory name): 3 registrations declared in docker-compose.yml');
    expect(first.stdout).toMatch(/created +camerastack_footage:\/recordings +\(service recorder, storage-manager\.0\)/);
    expect(first.stdout).toMatch(/created +camerastack_logs:\/ +\(service app, storage-manager\.0\)/);
    expect(first.stdout).toContain('Done: 3 created, 0 updated, 0 removed, 0 unchanged.');

    const stored = await registrations();
    expect(stored.map((r) => [r.volume_name, r.path, r.algorithm, r.params, r.description, r.source, r.owner])).toEqual([
      ['camerastack_footage', '/recordings', 'max_size', { max_bytes: 5368709120, sort_by: 'mtime' }, null, 'deploy', 'camerastack'],
      // SNAPSHOTS is set but empty in .env: ":-" takes the default.
      ['camerastack_footage', '/snapshots', 'keep_n_latest', { keep_count: 100 }, null, 'deploy', 'camerastack'],
      // LOG_DAYS is unset: "-" takes the default; "$$" is a literal "$".
      ['camerastack_logs', '/', 'remove_before_date', { max_age_days: 14 }, 'Rotate logs, keep $LOG_DAYS days', 'deploy', 'camerastack'],
    ]);

    const again = await deploy(['-f', 'docker-compose.yml']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('Nothing to change: 3 registrations unchanged.');
    expect(again.stdout).not.toMatch(/created|updated|removed +camera/);
    expect(await registrations()).toEqual(stored);
  });

  it('updates a changed label and removes the registrations of a removed service', async () => {
    write('docker-compose.yml', STACK);
    const env = { FOOTAGE_MAX_BYTES: '1000' };
    expect((await deploy([], env)).code).toBe(0);
    const before = await registrations();

    const changed = await deploy([], { ...env, SNAPSHOTS: '7' });
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/updated +camerastack_footage:\/snapshots/);
    expect(changed.stdout).toContain('Done: 0 created, 1 updated, 0 removed, 2 unchanged.');
    const updated = (await registrations()).find((r) => r.path === '/snapshots')!;
    expect(updated).toMatchObject({ id: before.find((r) => r.path === '/snapshots')!.id, params: { keep_count: 7 } });

    write('docker-compose.yml', STACK.replace(/ {2}app:[\s\S]*?(?=volumes:\n {2}footage)/, ''));
    const removed = await deploy([], { ...env, SNAPSHOTS: '7' });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/removed +camerastack_logs:\/ +\(no longer declared\)/);
    expect(await targets()).toEqual(['camerastack_footage:/recordings deploy/camerastack', 'camerastack_footage:/snapshots deploy/camerastack']);
  });

  it('refuses invalid labels with exit 2, naming each service and label, and changes nothing on the server', async () => {
    write('docker-compose.yml', STACK);
    expect((await deploy([], { FOOTAGE_MAX_BYTES: '1000' })).code).toBe(0);
    const before = await registrations();
    const broken = STACK.replace('storage-manager.1.keep_count: "${SNAPSHOTS:-100}"', 'storage-manager.1.keep_count: "-3"')
      .replace('algorithm=remove_before_date', 'algorithm=shred')
      .replace('storage-manager.0.sort_by: mtime', 'storage-manager.0.sort_by: mtime\n      storage-manager.0.max_byts: "5"');
    write('docker-compose.yml', broken);
    const result = await deploy([], { FOOTAGE_MAX_BYTES: 'lots' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid labels in project "camerastack"; nothing was changed:');
    for (const expected of [
      /service "app", storage-manager\.0\.algorithm: algorithm must be one of/,
      /service "recorder", storage-manager\.0\.max_bytes: params\.max_bytes /,
      /service "recorder", storage-manager\.0\.max_byts: params\.max_byts /,
      /service "recorder", storage-manager\.1\.keep_count: params\.keep_count /,
    ]) {
      expect(result.stderr).toMatch(expected);
    }
    expect(await registrations()).toEqual(before);

    const json = await deploy(['--json'], { FOOTAGE_MAX_BYTES: 'lots' });
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { problems: unknown[] }).problems).toHaveLength(4);
  });

  it('refuses a service that labels a volume it does not mount, by name', async () => {
    write(
      'compose.yaml',
      `name: shop
services:
  web:
    volumes: ["cache:/cache", "./html:/usr/share/html"]
    labels:
      storage-manager.0.volume: logs
      storage-manager.0.path: /
      storage-manager.0.algorithm: max_size
      storage-manager.0.max_bytes: "1000"
  worker:
    volumes: [logs:/logs]
    labels:
      storage-manager.0.volume: logs
      storage-manager.0.path: /worker
      storage-manager.0.algorithm: max_size
      storage-manager.0.max_bytes: "1000"
volumes:
  cache:
  logs:
`,
    );
    const result = await deploy();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'service "web", storage-manager.0.volume: volume "logs" (Engine name "shop_logs") is not mounted by service "web" (it mounts "shop_cache"); a service may only register a volume it mounts',
    );
    expect(result.stderr).not.toContain('service "worker"');
    expect(await registrations()).toEqual([]);
  });

  it("resolves volume names: <project>_<key>, a volume's name:, an external volume, a name outside the file", async () => {
    write(
      'compose.yaml',
      `name: \${STACK_NAME:-site}
services:
  svc:
    volumes: ["data:/d", "named:/n", "ext:/e", "protected-container_logs:/l"]
    labels: &labels
      storage-manager.0.volume: data
      storage-manager.0.path: /a
      storage-manager.0.algorithm: keep_n_latest
      storage-manager.0.keep_count: "1"
      storage-manager.1.volume: named
      storage-manager.1.path: /a
      storage-manager.1.algorithm: keep_n_latest
      storage-manager.1.keep_count: "1"
      storage-manager.2.volume: ext
      storage-manager.2.path: /a
      storage-manager.2.algorithm: keep_n_latest
      storage-manager.2.keep_count: "1"
      storage-manager.3.volume: site_data
      storage-manager.3.path: /b
      storage-manager.3.algorithm: keep_n_latest
      storage-manager.3.keep_count: "1"
volumes:
  data:
  named: {name: "\${NAMED:-shared-named}"}
  ext: {external: true}
  protected-container_logs: {external: true}
`,
    );
    const result = await deploy(['--dry-run']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Project "site" (name from name:)');
    expect(result.stdout).toContain('Dry run: 4 to be created, 0 to be updated, 0 to be removed, 0 unchanged; nothing was changed.');
    expect(result.stdout).toMatch(/would create +ext:\/a/);
    expect(result.stdout).toMatch(/would create +shared-named:\/a/);
    expect(result.stdout).toMatch(/would create +site_data:\/a/);
    expect(result.stdout).toMatch(/would create +site_data:\/b/);
    expect(await registrations()).toEqual([]);

    // COMPOSE_PROJECT_NAME wins over name:, and -p over both.
    const named = await deploy(['--json'], { COMPOSE_PROJECT_NAME: 'other' });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('volume "site_data" is not mounted by service "svc" (it mounts "other_data", "shared-named", "ext", "protected-container_logs")');
    const flagged = await deploy(['-p', 'site', '--json'], { COMPOSE_PROJECT_NAME: 'other' });
    expect(flagged.code).toBe(0);
    expect(JSON.parse(flagged.stdout)).toMatchObject({ project: 'site', dry_run: false });
    expect((await registrations()).map((r) => r.owner)).toEqual(['site', 'site', 'site', 'site']);
  });

  it('merges several -f files, reads --env-file, and fails on a required variable before changing anything', async () => {
    write('docker-compose.yml', STACK);
    write('docker-compose.prod.yml', 'services:\n  recorder:\n    labels:\n      storage-manager.0.max_bytes: "${PROD_MAX}"\n');
    write('prod.env', 'FOOTAGE_MAX_BYTES=1\nPROD_MAX="2000"\n');
    const merged = await deploy(['-f', 'docker-compose.yml', '-f', 'docker-compose.prod.yml', '--env-file', 'prod.env', '-p', 'prod']);
    expect(merged.code).toBe(0);
    expect((await registrations()).find((r) => r.path === '/recordings')?.params).toEqual({ max_bytes: 2000, sort_by: 'mtime' });

    write('docker-compose.prod.yml', 'services:\n  recorder:\n    labels:\n      storage-manager.0.max_bytes: "${PROD_MAX:?set PROD_MAX for production}"\n');
    const before = await registrations();
    const missing = await deploy(['-f', 'docker-compose.yml', '-f', 'docker-compose.prod.yml', '-p', 'prod'], { FOOTAGE_MAX_BYTES: '1' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('required variable PROD_MAX is missing a value: set PROD_MAX for production; nothing was changed');
    expect(await registrations()).toEqual(before);

    expect((await deploy(['-f', 'nope.yml'])).code).toBe(2);
    write('bad.yml', 'services: [\n');
    const bad = await deploy(['-f', 'bad.yml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.yml: not valid YAML');
  });

  it('warns about unset variables as compose does', async () => {
    write('docker-compose.yml', STACK);
    const result = await deploy(['--dry-run']);
    expect(result.stderr).toContain('warning: The "FOOTAGE_MAX_BYTES" variable is not set. Defaulting to a blank string.');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/service "recorder", storage-manager\.0\.max_bytes: params\.max_bytes /);
  });

  it('exits 1 naming the service and label when a target is registered by someone else, and changes nothing', async () => {
    write('docker-compose.yml', STACK);
    await request(app.url)
      .post('/api/register')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ volume_name: 'camerastack_logs', path: '/', algorithm: 'max_size', params: { max_bytes: 1 } })
      .expect(201);
    const before = await registrations();
    const result = await deploy([], { FOOTAGE_MAX_BYTES: '1000' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the manager refused the request (409 conflict)');
    expect(result.stderr).toContain(
      'service "app", storage-manager.0 [camerastack_logs:/]: camerastack_logs:/ is already registered by the API (POST /api/register)',
    );
    expect(await registrations()).toEqual(before);
  });
});
