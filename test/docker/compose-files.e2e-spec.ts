/**
 * The deployment files as their own tools read them: Debian's docker-compose 1.29 resolves the root compose file and
 * the camera example (`config`), Caddy 2.6 validates the Caddyfile and serves its route on loopback. Each check is
 * shown to fail on a broken copy, and the wiring between the files (service names, mounted paths, the socket
 * proxy, the labels) is read from the resolved configuration, so a rename on one side fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { registrationProblems } from '../../src/registration/registration.schema.js';
import { freePort } from '../support/net.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const COMPOSE = existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : 'docker-compose';
const CADDY = existsSync('/usr/bin/caddy') ? '/usr/bin/caddy' : 'caddy';
const GRAFANA_TEST_PASSWORD = 'only-for-this-test';

interface Service {
  image?: string;
  build?: { context: string };
  user?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: Array<string | { type: string; source: string; target: string; read_only?: boolean; bind?: { propagation?: string } }>;
  networks?: Record<string, unknown>;
  profiles?: string[];
  command?: string[];
  labels?: Record<string, string>;
  cap_drop?: string[];
  cap_add?: string[];
  read_only?: boolean;
  security_opt?: string[];
}
interface ComposeModel {
  services: Record<string, Service>;
  networks?: Record<string, { internal?: boolean; name?: string } | null>;
  volumes?: Record<string, unknown>;
}

let tmp: string;
let emptyEnv: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'sm-compose-'));
  emptyEnv = path.join(tmp, 'empty.env');
  writeFileSync(emptyEnv, '');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * docker-compose on `file` with `projectDir` as its project directory. Only PATH and `env` reach it, and an empty
 * env file replaces the project's `.env`, so a developer's own settings cannot make a check pass.
 */
function compose(file: string, projectDir: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(COMPOSE, ['--env-file', emptyEnv, '--project-directory', projectDir, '-f', file, ...args], {
    encoding: 'utf8',
    cwd: projectDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, ...env },
  });
}

/** A copy of `file` in the temporary directory with `edit` applied (the edit must change something). */
function brokenCopy(file: string, edit: (text: string) => string): string {
  const original = readFileSync(file, 'utf8');
  const changed = edit(original);
  expect(changed).not.toBe(original);
  const copy = path.join(tmp, `broken-${path.basename(path.dirname(file))}-${path.basename(file)}`);
  writeFileSync(copy, changed);
  return copy;
}

/** Source and target of a service's mounts; a relative source is resolved by compose to an absolute path. */
function mounts(service: Service): Array<{ source: string; target: string; readOnly: boolean; propagation?: string }> {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target, readOnly: v.read_only === true, ...(v.bind?.propagation ? { propagation: v.bind.propagation } : {}) };
    const [source = '', target = '', mode = 'rw'] = v.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

function hostPort(address: string): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: Number(url.port) };
}

describe('docker-compose.yml (the stack)', () => {
  const file = path.join(root, 'docker-compose.yml');
  let model: ComposeModel;

  beforeAll(() => {
    const resolved = compose(file, root, ['config'], { GRAFANA_ADMIN_PASSWORD: GRAFANA_TEST_PASSWORD });
    if (resolved.status !== 0) throw new Error(`docker-compose config failed: ${resolved.stderr}`);
    model = parse(resolved.stdout) as ComposeModel;
  });

  it('passes docker-compose config -q without a warning', () => {
    const result = compose(file, root, ['config', '-q'], { GRAFANA_ADMIN_PASSWORD: GRAFANA_TEST_PASSWORD });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('fails on a copy with a misspelt key', () => {
    const copy = brokenCopy(file, (text) => text.replace('    environment:\n      SM_DOCKER_HOST', '    enviroment:\n      SM_DOCKER_HOST'));
    const result = compose(copy, root, ['config', '-q'], { GRAFANA_ADMIN_PASSWORD: GRAFANA_TEST_PASSWORD });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('enviroment');
  });

  it('has no default for the Grafana password: without it, compose refuses the file', () => {
    const result = compose(file, root, ['config', '-q']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('GRAFANA_ADMIN_PASSWORD');
  });

  it('gives no secret a value of its own: tokens, passwords and URLs with credentials come from the environment only', () => {
    const secrets = Object.entries(model.services).flatMap(([name, s]) =>
      Object.entries(s.environment ?? {})
        .filter(([key]) => /PASSWORD|TOKEN|SECRET|SMTP_URL|DB_URL/.test(key))
        .map(([key, value]): [string, string] => [`${name}.${key}`, value]),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const [key, value] of secrets) expect([key, value]).toEqual([key, key.endsWith('GF_SECURITY_ADMIN_PASSWORD') ? GRAFANA_TEST_PASSWORD : '']);
  });

  it('publishes every port on the host loopback only, the manager on 127.0.0.1:9100', () => {
    const published = Object.values(model.services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBeGreaterThan(0);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:/);
    expect(model.services['storage-manager']?.ports).toEqual(['127.0.0.1:9100:9100/tcp']);
  });

  it('builds the manager from this Dockerfile, keeps /data in a named volume and mounts the Engine volume directory read-write under SM_HOST_ROOT', () => {
    const manager = model.services['storage-manager']!;
    expect(manager.build?.context).toBe(root);
    const env = manager.environment ?? {};
    const all = mounts(manager);
    expect(all.find((m) => m.target === '/data')?.source).toBe('sm_data');
    expect(Object.keys(model.volumes ?? {})).toContain('sm_data');
    const engineVolumes = all.find((m) => m.source === '/var/lib/docker/volumes');
    expect(engineVolumes).toEqual({ source: '/var/lib/docker/volumes', target: `${env.SM_HOST_ROOT}/var/lib/docker/volumes`, readOnly: false, propagation: 'rslave' });
    expect(env.SM_HOST_ROOT).toBe('/host');
  });

  it('runs the manager as root with only DAC_OVERRIDE and FOWNER, a read-only root filesystem and no privilege gain', () => {
    const manager = model.services['storage-manager']!;
    expect({ user: manager.user, drop: manager.cap_drop, add: [...(manager.cap_add ?? [])].sort(), readOnly: manager.read_only, securityOpt: manager.security_opt }).toEqual({
      user: '0:0',
      drop: ['ALL'],
      add: ['DAC_OVERRIDE', 'FOWNER'],
      readOnly: true,
      securityOpt: ['no-new-privileges:true'],
    });
  });

  it('reaches Docker only through a socket proxy that allows GET on the sections the manager reads, alone with it on an internal network', () => {
    const manager = model.services['storage-manager']!;
    const { host, port } = hostPort(manager.environment?.SM_DOCKER_HOST ?? '');
    expect(port).toBe(2375);
    const proxy = model.services[host];
    expect(proxy?.image).toMatch(/^tecnativa\/docker-socket-proxy:/);
    const granted = Object.entries(proxy?.environment ?? {})
      .filter(([, value]) => value === '1')
      .map(([key]) => key)
      .sort();
    expect(granted).toEqual(['CONTAINERS', 'EVENTS', 'INFO', 'PING', 'SYSTEM', 'VERSION', 'VOLUMES']);
    expect(proxy?.environment?.POST).toBe('0');
    expect(mounts(proxy!)).toEqual([{ source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: true }]);
    // No other mount of the Engine's socket anywhere in the stack.
    const socketMounts = Object.entries(model.services).filter(([, s]) => mounts(s).some((m) => m.source.endsWith('docker.sock')));
    expect(socketMounts.map(([name]) => name)).toEqual([host]);
    const proxyNetworks = Object.keys(proxy?.networks ?? {});
    expect(proxyNetworks).toHaveLength(1);
    const shared = proxyNetworks[0]!;
    expect(Object.keys(manager.networks ?? {})).toContain(shared);
    expect(model.networks?.[shared]?.internal).toBe(true);
    const onProxyNetwork = Object.entries(model.services).filter(([, s]) => Object.keys(s.networks ?? {}).includes(shared));
    expect(onProxyNetwork.map(([name]) => name).sort()).toEqual([host, 'storage-manager'].sort());
  });

  it('lets Prometheus scrape the manager by its service name and load the rules it mounts', () => {
    const prometheus = Object.values(model.services).find((s) => s.image?.startsWith('prom/prometheus:'))!;
    const configDir = mounts(prometheus).find((m) => m.target === '/etc/prometheus');
    expect(configDir).toEqual({ source: path.join(root, 'prometheus'), target: '/etc/prometheus', readOnly: true });
    const config = parse(readFileSync(path.join(root, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const job = config.scrape_configs.find((j) => j.job_name === 'storage-manager')!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const targets = job.static_configs.flatMap((c) => c.targets).map(hostPort);
    expect(targets).toEqual([{ host: 'storage-manager', port: 9100 }]);
    expect(model.services['storage-manager']).toBeDefined();
    expect(Object.keys(prometheus.networks ?? {}).filter((n) => Object.keys(model.services['storage-manager']?.networks ?? {}).includes(n))).not.toHaveLength(0);
    for (const rules of config.rule_files) expect(existsSync(path.join(root, 'prometheus', rules))).toBe(true);
  });

  it('points Grafana at the Prometheus service and mounts the dashboards where the provider reads them', () => {
    const grafana = Object.values(model.services).find((s) => s.image?.startsWith('grafana/grafana:'))!;
    const all = mounts(grafana);
    expect(all.find((m) => m.target === '/etc/grafana/provisioning')?.source).toBe(path.join(root, 'grafana', 'provisioning'));
    const datasources = parse(readFileSync(path.join(root, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
      datasources: Array<{ type: string; url: string }>;
    };
    const url = new URL(datasources.datasources.find((d) => d.type === 'prometheus')!.url);
    expect(model.services[url.hostname]?.image).toMatch(/^prom\/prometheus:/);
    expect(url.port).toBe('9090');
    const providers = parse(readFileSync(path.join(root, 'grafana', 'provisioning', 'dashboards', 'storage-manager.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashboards = all.find((m) => m.target === providers.providers[0]?.options.path);
    expect(dashboards?.source).toBe(path.join(root, 'grafana', 'dashboards'));
    expect(readdirSync(dashboards!.source).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(3);
  });

  it('offers Alertmanager as the optional `alerting` profile, with the example configuration at the path it is started with, where Prometheus sends alerts', () => {
    const alertmanager = model.services.alertmanager!;
    expect(alertmanager.profiles).toEqual(['alerting']);
    const configFile = alertmanager.command?.find((arg) => arg.startsWith('--config.file='))?.slice('--config.file='.length);
    expect(mounts(alertmanager).find((m) => m.target === configFile)?.source).toBe(path.join(root, 'prometheus', 'alertmanager.yml'));
    const config = parse(readFileSync(path.join(root, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    };
    const targets = config.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets)).map(hostPort);
    expect(targets).toEqual([{ host: 'alertmanager', port: 9093 }]);
  });
});

describe('examples/camera-app/docker-compose.yml (registration by labels)', () => {
  const dir = path.join(root, 'examples', 'camera-app');
  const file = path.join(dir, 'docker-compose.yml');
  let service: Service;

  beforeAll(() => {
    const resolved = compose(file, dir, ['config']);
    if (resolved.status !== 0) throw new Error(`docker-compose config failed: ${resolved.stderr}`);
    const model = parse(resolved.stdout) as ComposeModel;
    service = model.services['camera-app']!;
    if (!service) throw new Error(`no camera-app service in ${Object.keys(model.services).join(', ')}`);
  });

  it('passes docker-compose config -q without a warning', () => {
    const result = compose(file, dir, ['config', '-q']);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('fails on a copy with a misspelt key', () => {
    const copy = brokenCopy(file, (text) => text.replace('    labels:\n', '    lables:\n'));
    const result = compose(copy, dir, ['config', '-q']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('lables');
  });

  /** The labels as registrations: `storage-manager.<N>.<field>`, values typed from their strings. */
  function declared(): Map<string, Record<string, unknown>> {
    const byIndex = new Map<string, Record<string, unknown>>();
    for (const [key, value] of Object.entries(service.labels ?? {})) {
      const match = /^storage-manager\.(\d+)\.([a-z_]+)$/.exec(key);
      expect([key, match !== null]).toEqual([key, true]);
      expect(typeof value).toBe('string');
      const entry = byIndex.get(match![1]!) ?? {};
      entry[match![2]!] = value;
      byIndex.set(match![1]!, entry);
    }
    return byIndex;
  }

  it('declares two registrations in the label format storage-manager.<N>.<field>: recordings capped by max_size, logs by remove_before_date', () => {
    const byIndex = declared();
    expect([...byIndex.keys()].sort()).toEqual(['0', '1']);
    const summary = [...byIndex.values()].map((l) => [l.volume, l.path, l.algorithm]);
    expect(summary).toEqual([
      ['recordings', '/clips', 'max_size'],
      ['logs', '/', 'remove_before_date'],
    ]);
  });

  it('names only volumes the container mounts (labels for anything else are rejected by the trust rule)', () => {
    const mounted = mounts(service).map((m) => m.source);
    for (const labels of declared().values()) expect(mounted).toContain(labels.volume);
  });

  it('declares registrations that the registration API accepts', () => {
    for (const [index, labels] of declared()) {
      const { volume, path: target, algorithm, description, ...params } = labels;
      const typed = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, /^-?\d+(\.\d+)?$/.test(String(v)) ? Number(v) : v]));
      const { problems } = registrationProblems({ volume_name: volume, path: target, algorithm, description, params: typed });
      expect([index, problems]).toEqual([index, []]);
    }
  });
});

describe('examples/Caddyfile (route with basic auth, Caddy 2.6)', () => {
  const file = path.join(root, 'examples', 'Caddyfile');
  let hash: string;

  const caddyEnv = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp,
    XDG_DATA_HOME: path.join(tmp, 'caddy-data'),
    XDG_CONFIG_HOME: path.join(tmp, 'caddy-config'),
    ACME_EMAIL: 'ops@example.com',
    BASIC_AUTH_USER: 'ops',
    BASIC_AUTH_HASH: hash,
    ...extra,
  });
  const validate = (config: string, env: Record<string, string>) =>
    spawnSync(CADDY, ['validate', '--adapter', 'caddyfile', '--config', config], { encoding: 'utf8', env });

  beforeAll(() => {
    const hashed = spawnSync(CADDY, ['hash-password', '--plaintext', 'open-sesame'], { encoding: 'utf8', env: caddyEnv() });
    if (hashed.status !== 0) throw new Error(`caddy hash-password failed: ${hashed.stderr}`);
    hash = hashed.stdout.trim();
  });

  it('passes caddy validate with its variables set', () => {
    const result = validate(file, caddyEnv());
    expect([result.status, result.stdout.trim()]).toEqual([0, 'Valid configuration']);
  });

  it('fails with the later spelling basic_auth, which Caddy 2.6 does not know', () => {
    const result = validate(brokenCopy(file, (text) => text.replace('\tbasicauth /* {', '\tbasic_auth /* {')), caddyEnv());
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('unrecognized directive: basic_auth');
  });

  it('fails without a password hash: the route cannot come up without authentication', () => {
    const result = validate(file, caddyEnv({ BASIC_AUTH_HASH: '' }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('basicauth');
  });

  it('serves the route on loopback: 401 without or with wrong credentials, the manager behind it with the right ones', async () => {
    const upstream = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', path: req.url, authorization: req.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as net.AddressInfo).port;
    const port = await freePort();
    // The example as Caddy adapts it, listening on loopback only and without the admin endpoint.
    const adapted = spawnSync(CADDY, ['adapt', '--adapter', 'caddyfile', '--config', file], {
      encoding: 'utf8',
      env: caddyEnv({ STORAGE_MANAGER_SITE: `http://127.0.0.1:${port}`, STORAGE_MANAGER_UPSTREAM: `127.0.0.1:${upstreamPort}` }),
    });
    expect(adapted.status).toBe(0);
    const json = JSON.parse(adapted.stdout) as { admin?: unknown; apps: { http: { servers: Record<string, { listen: string[] }> } } };
    json.admin = { disabled: true };
    for (const server of Object.values(json.apps.http.servers)) server.listen = server.listen.map((l) => `127.0.0.1${l.slice(l.lastIndexOf(':'))}`);
    const config = path.join(tmp, 'caddy.json');
    writeFileSync(config, JSON.stringify(json));
    const caddy = spawn(CADDY, ['run', '--config', config], { env: caddyEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    caddy.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => caddy.once('exit', resolve));
    try {
      await waitForPort(port, () => caddy.exitCode === null, () => stderr);
      const url = `http://127.0.0.1:${port}/api/health`;
      const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect((await fetch(url, { headers: basic('ops', 'wrong') })).status).toBe(401);
      const allowed = await fetch(url, { headers: basic('ops', 'open-sesame') });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('strict-transport-security')).toContain('max-age=31536000');
      expect(await allowed.json()).toMatchObject({ status: 'ok', path: '/api/health' });
    } finally {
      if (caddy.exitCode === null) process.kill(caddy.pid!, 'SIGTERM');
      await exited;
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});

/** Resolves once something accepts connections on 127.0.0.1:`port`; fails when `alive` turns false or after 20 s. */
async function waitForPort(port: number, alive: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`caddy exited: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`caddy did not listen on 127.0.0.1:${port} within 20 s: ${log()}`);
}
