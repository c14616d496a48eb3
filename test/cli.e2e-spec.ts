import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CLI, runCli, startCli, type CliResult } from './support/cli.js';
import { measuredVolumes } from './support/measured-volumes.js';
import { freePort } from './support/net.js';
import { PROJECT_ROOT } from './support/service-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The built CLI (`node dist/cli/main.js`) as a child process against a real service listening on 127.0.0.1:
 * every command's help, behaviour and exit code. Deploy has its own file (cli-deploy.e2e-spec.ts).
 */

const TOKEN = 'cli-test-token-0123456789';
const COMMANDS = ['deploy', 'status', 'cleanup', 'emergency', 'register', 'unregister', 'events'];

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ SM_API_TOKEN: TOKEN });
});

afterAll(async () => {
  await app.close();
});

/** The CLI against the test service, with the token in the environment as an operator would have it. */
function cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['--url', app.url, ...args], { env: { SM_API_TOKEN: TOKEN, ...env } });
}

const api = () => request(app.url);
const auth = { Authorization: `Bearer ${TOKEN}` };

function volume(name: string): string {
  const dir = path.join(app.volumesDir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Files old enough for a policy (min_age_seconds is 60 by default). */
function oldFiles(dir: string, count: number, size: number): void {
  mkdirSync(dir, { recursive: true });
  const old = new Date(Date.now() - 3600_000);
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `f${i}.bin`);
    writeFileSync(file, Buffer.alloc(size, 1));
    utimesSync(file, old, new Date(old.getTime() + i * 1000));
  }
}

async function registrations(): Promise<Array<{ volume_name: string; path: string; algorithm: string; params: Record<string, unknown> }>> {
  const response = await api().get('/api/registrations').expect(200);
  return response.body as Array<{ volume_name: string; path: string; algorithm: string; params: Record<string, unknown> }>;
}

describe('help, usage and reachability', () => {
  it('prints --help for the program and every command, with the exit codes, never the token', async () => {
    const top = await cli(['--help']);
    expect(top).toMatchObject({ code: 0, stderr: '' });
    for (const command of COMMANDS) expect(top.stdout).toContain(`  ${command} `);
    const flat = top.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain('--url <url> the manager\'s base URL (default: "http://127.0.0.1:9100", env: SM_URL)');
    expect(flat).toContain('(env: SM_API_TOKEN)');
    for (const command of COMMANDS) {
      const help = await cli([command, '--help']);
      expect({ command, code: help.code }).toEqual({ command, code: 0 });
      expect(help.stdout).toContain(`Usage: storage-manager ${command}`);
      expect(help.stdout).toContain('Exit codes:');
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout + help.stderr).not.toContain(TOKEN);
    }
    expect((await cli(['help', 'deploy'])).stdout).toContain('Usage: storage-manager deploy');
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on usage errors', async () => {
    const cases = [[], ['frobnicate'], ['status', '--bogus'], ['register', '--volume', 'v', '--path', '/'], ['events', '--limit', 'many'], ['--timeout', '0', 'status'], ['unregister', 'v']];
    for (const args of cases) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).not.toBe('');
    }
    expect((await cli(['register', '--volume', 'v', '--path', '/'])).stderr).toContain("required option '--algorithm <name>' not specified");
  });

  it('exits 3 when the manager cannot be reached, without printing the token or URL credentials', async () => {
    const port = await freePort();
    const result = await runCli(['--url', `http://ops:hunter2@127.0.0.1:${port}`, 'status'], { env: { SM_API_TOKEN: TOKEN } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach the manager at http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(result.stdout + result.stderr).not.toMatch(/hunter2|ops:|cli-test-token/);
    const bad = await runCli(['--url', 'not a url', 'status']);
    expect(bad.code).toBe(2);
    // Credentials in a URL (a proxy's basic auth) travel as a header: the request works, and they are not shown.
    const withCredentials = await runCli(['--url', app.url.replace('http://', 'http://ops:hunter2@'), 'status']);
    expect(withCredentials.code).toBe(0);
    expect(withCredentials.stdout).toContain(`at ${app.url}: OK`);
    expect(withCredentials.stdout + withCredentials.stderr).not.toContain('hunter2');
  });

  it('exits 1 with a hint when the token is missing or wrong', async () => {
    volume('cam0');
    const missing = await runCli(['--url', app.url, 'register', '--volume', 'cam0', '--path', '/', '--algorithm', 'max_size', '--param', 'max_bytes=1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the manager refused the request (401)');
    expect(missing.stderr).toContain('--token or SM_API_TOKEN');
    const wrong = await runCli(['--url', app.url, '--token', 'wrong-token-but-long-enough', 'unregister', 'cam0', '/']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).not.toContain('wrong-token-but-long-enough');
    expect(await registrations()).toEqual([]);
  });
});

describe('register and unregister', () => {
  it('registers with params typed like labels, idempotently, updates, and unregisters', async () => {
    volume('cam1');
    const args = ['register', '--volume', 'cam1', '--path', 'recordings/', '--algorithm', 'max_size', '--param', 'max_bytes=5368709120', '--param', 'sort_by=mtime', '--param', 'emergency.max_bytes=1000', '--description', 'Security camera recordings'];
    const created = await cli(args);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^created cam1:\/recordings \(max_size, id [0-9a-f-]{36}, active\)/);
    expect((await registrations()).find((r) => r.volume_name === 'cam1')).toMatchObject({
      path: '/recordings',
      params: { max_bytes: 5368709120, sort_by: 'mtime', emergency: { max_bytes: 1000 } },
    });
    expect((await cli(args)).stdout).toMatch(/^unchanged cam1:\/recordings/);
    const updated = await cli([...args.slice(0, 7), '--param', 'max_bytes=1000', '--json']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ outcome: 'updated', params: { max_bytes: 1000 }, source: 'api' });

    expect(await cli(['unregister', 'cam1', '/recordings'])).toMatchObject({ code: 0, stdout: 'unregistered cam1:/recordings\n' });
    const again = await cli(['unregister', 'cam1', '/recordings']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('cam1:/recordings is not registered');
    expect((await cli(['unregister', 'cam1', '/recordings', '--missing-ok'])).code).toBe(0);
  });

  it('refuses invalid flags with exit 2 naming each, and sends nothing', async () => {
    const before = await registrations();
    const result = await cli(['register', '--volume', 'cam1', '--path', '/a/../b', '--algorithm', 'max_size', '--param', 'max_bytes=-1', '--param', 'colour=blue', '--param', 'novalue']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid registration; nothing was sent');
    expect(result.stderr).toContain('--param "novalue": must be name=value');
    expect(result.stderr).toMatch(/--param max_bytes: params\.max_bytes /);
    expect(result.stderr).toMatch(/--param colour: params\.colour /);
    expect(result.stderr).toMatch(/--path: path /);
    const unknown = await cli(['register', '--volume', 'cam1', '--path', '/', '--algorithm', 'shrink']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--algorithm: algorithm must be one of max_size, remove_before_date, keep_n_latest, orphans');
    expect(await registrations()).toEqual(before);
  });

  it('reports a registration on a missing volume as pending', async () => {
    const result = await cli(['register', '--volume', 'later-vol', '--path', '/', '--algorithm', 'keep_n_latest', '--param', 'keep_count=3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/created later-vol:\/ .*pending\)\n {2}volume "later-vol" does not exist yet/);
    expect((await cli(['unregister', 'later-vol', '/'])).code).toBe(0);
  });
});

describe('status', () => {
  it('shows health, filesystems, volumes and targets with usage against the limit; --json; 4 when degraded', async () => {
    oldFiles(path.join(volume('stat'), 'rec'), 2, 1000);
    expect((await cli(['register', '--volume', 'stat', '--path', '/rec', '--algorithm', 'max_size', '--param', 'max_bytes=1000000'])).code).toBe(0);
    // Volume sizes come from background walks: wait (with a deadline) until the volume has been measured.
    await measuredVolumes(app.url, '?name=stat');
    const healthy = await cli(['status']);
    expect(healthy).toMatchObject({ code: 0, stderr: '' });
    expect(healthy.stdout).toMatch(/^storage-manager \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+: OK, up /);
    expect(healthy.stdout).toMatch(/Filesystems\n {2}\/\S*/);
    expect(healthy.stdout).toMatch(/Volumes\n(.*\n)* {2}stat +\S+ \S+ +ok +available +1 target/);
    expect(healthy.stdout).toMatch(/Targets\n(.*\n)* {2}stat:\/rec +2\.0 kB \/ 1\.0 MB +max_size +ok +active +never cleaned/);

    const json = await cli(['status', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { health: { status: string }; volumes: Array<{ volume_name: string }> };
    expect(parsed.health.status).toBe('ok');
    expect(parsed.volumes.map((v) => v.volume_name)).toContain('stat');

    expect((await cli(['register', '--volume', 'nowhere', '--path', '/', '--algorithm', 'keep_n_latest', '--param', 'keep_count=1'])).code).toBe(0);
    const degraded = await cli(['status']);
    expect(degraded.code).toBe(4);
    expect(degraded.stdout).toContain('DEGRADED');
    expect(degraded.stdout).toContain('! 1 registration(s) pending: volume missing');
    expect(degraded.stdout).toMatch(/nowhere:\/ +\? \/ keep 1 files +keep_n_latest +ok +pending/);
    expect((await cli(['status', '--json'])).code).toBe(4);
    expect((await cli(['unregister', 'nowhere', '/'])).code).toBe(0);
    expect((await cli(['unregister', 'stat', '/rec'])).code).toBe(0);
  });
});

describe('cleanup and emergency', () => {
  it('plans with --dry-run, deletes without it, for one target; exit 2 for an unknown target', async () => {
    await api().post('/api/maintenance').set(auth).send({ enabled: true, reason: 'cli test: no automatic deletion' }).expect(200);
    try {
      const dir = path.join(volume('clean'), 'rec');
      oldFiles(dir, 5, 1000);
      expect((await cli(['register', '--volume', 'clean', '--path', '/rec', '--algorithm', 'keep_n_latest', '--param', 'keep_count=2'])).code).toBe(0);

      const plan = await cli(['cleanup', '--dry-run', 'clean:/rec']);
      expect(plan).toMatchObject({ code: 0, stderr: '' });
      expect(plan.stdout).toMatch(/clean:\/rec +done +would delete 3 files \(3\.0 kB\)/);
      expect(plan.stdout).toContain('clean:/rec first: f0.bin, f1.bin, f2.bin');
      expect(plan.stdout).toContain('Dry run, nothing deleted: would free 3.0 kB in 3 files.');
      expect(readdirSync(dir)).toHaveLength(5);

      const run = await cli(['cleanup', 'clean:/rec', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ totals: { files: 3, bytes: 3000 }, targets: [{ volume_name: 'clean', path: '/rec', status: 'done' }] });
      expect(readdirSync(dir).sort()).toEqual(['f3.bin', 'f4.bin']);

      const byVolume = await cli(['cleanup', 'clean']);
      expect(byVolume.code).toBe(0);
      expect(byVolume.stdout).toMatch(/clean:\/rec +done +deleted 0 files/);

      const unknown = await cli(['cleanup', 'clean:/nothing-here']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('path: no registration for volume "clean" path "/nothing-here"');
      expect((await cli(['cleanup', 'clean:'])).code).toBe(2);
    } finally {
      await api().post('/api/maintenance').set(auth).send({ enabled: false }).expect(200);
    }
  });

  it('prints the emergency report; --dry-run deletes nothing; --force runs below the critical threshold', async () => {
    await api().post('/api/maintenance').set(auth).send({ enabled: true, reason: 'cli test' }).expect(200);
    try {
      const dir = path.join(volume('emerg'), 'snap');
      oldFiles(dir, 4, 500);
      const args = ['register', '--volume', 'emerg', '--path', '/snap', '--algorithm', 'keep_n_latest', '--param', 'keep_count=100', '--param', 'emergency.keep_count=1'];
      expect((await cli(args)).code).toBe(0);

      const calm = await cli(['emergency', '--dry-run', '--volume', 'emerg']);
      expect(calm.code).toBe(0);
      expect(calm.stdout).toMatch(/Dry run, nothing deleted: would free 0 B in 0 files\./);

      const forced = await cli(['emergency', '--dry-run', '--force', '--volume', 'emerg']);
      expect(forced).toMatchObject({ code: 0, stderr: '' });
      expect(forced.stdout).toMatch(/emerg:\/snap +priority \S+ +done +would give 3 files \(1\.5 kB\)/);
      expect(readdirSync(dir)).toHaveLength(4);

      const real = await cli(['emergency', '--force', '--volume', 'emerg', '--json']);
      expect(real.code).toBe(0);
      expect(JSON.parse(real.stdout)).toMatchObject({ dry_run: false, totals: { files: 3, bytes: 1500 } });
      expect(readdirSync(dir)).toEqual(['f3.bin']);
      expect((await cli(['emergency', '--volume', 'no/such'])).code).toBe(2);
    } finally {
      await api().post('/api/maintenance').set(auth).send({ enabled: false }).expect(200);
    }
  });
});

describe('events', () => {
  it('lists the latest events, the ones after --since, as text or NDJSON', async () => {
    volume('ev');
    expect((await cli(['register', '--volume', 'ev', '--path', '/a', '--algorithm', 'keep_n_latest', '--param', 'keep_count=9'])).code).toBe(0);
    const latest = await cli(['events', '--type', 'registration.created', '--limit', '1']);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toMatch(/^#(\d+) {2}\S+ \S+ {2}registration\.created {2}ev:\/a {2}keep_n_latest \{"keep_count":9\} \(api\)\n$/);
    const seq = Number(/^#(\d+)/.exec(latest.stdout)![1]);

    expect((await cli(['register', '--volume', 'ev', '--path', '/b', '--algorithm', 'keep_n_latest', '--param', 'keep_count=9'])).code).toBe(0);
    const after = await cli(['events', '--since', String(seq), '--type', 'registration.*', '--json']);
    expect(after.code).toBe(0);
    const lines = after.stdout.trim().split('\n').map((line) => JSON.parse(line) as { seq: number; type: string; target: string });
    expect(lines.map((e) => [e.type, e.target])).toEqual([['registration.created', 'ev:/b']]);
    expect(lines[0]!.seq).toBeGreaterThan(seq);
    expect((await cli(['events', '--type', 'no.such'])).code).toBe(2);
  });

  it('--follow prints new events as they come and ends with 0 on SIGINT', async () => {
    volume('follow');
    const follower = startCli(['--url', app.url, 'events', '--follow', '--interval', '50', '--target', 'follow:/new', '--limit', '5']);
    try {
      // Created before or after the follower's first read, the event is printed once: in the latest events or as new.
      await api().post('/api/register').set(auth).send({ volume_name: 'follow', path: '/new', algorithm: 'keep_n_latest', params: { keep_count: 1 } }).expect(201);
      await follower.waitForStdout(/registration\.created {2}follow:\/new/);
      await api().delete('/api/register/follow/%2Fnew').set(auth).expect(204);
      await follower.waitForStdout(/registration\.removed {2}follow:\/new {2}\(api\)/);
    } finally {
      follower.child.kill('SIGINT');
    }
    const result = await follower.done;
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(result.stdout.match(/registration\.created/g)).toHaveLength(1);
  });
});

describe('the program', () => {
  it('is the package bin, an executable file with a shebang that runs on its own', async () => {
    const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; version: string };
    expect(manifest.bin).toEqual({ 'storage-manager': 'dist/cli/main.js' });
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
    // Executed directly: the shebang finds the node that runs this test first on the PATH.
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
      const child = spawn(CLI, ['--version'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout }));
    });
    expect(result).toEqual({ code: 0, stdout: `${manifest.version}\n` });
  });
});
