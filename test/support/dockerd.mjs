/**
 * A private Docker Engine for the tests: its own data root, exec root, pid file and unix socket, no bridge,
 * no iptables (containers run with `--network none`). Started by the test runner and stopped by its PID.
 *
 *   const engine = await startDockerd();   // { host: 'unix:///…/docker.sock', socket, pid, stop(), restart(), halt(), resume() }
 *   await importTestImage(engine.host);     // sm-busybox:test from busybox-static
 *
 * Needs root and Debian's docker.io and busybox-static (installed by .ci/run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clearTimeout } from 'node:timers';

export const TEST_IMAGE = 'sm-busybox:test';
/** The client of Debian's docker.io package (another `docker` earlier on PATH may be a different version). */
export const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the docker client against `host`; throws with its stderr on failure. */
export function docker(host, args, options = {}) {
  const result = spawnSync(DOCKER_CLI, ['-H', host, ...args], { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  return result.stdout.trim();
}

function dockerdBinary() {
  for (const candidate of ['/usr/sbin/dockerd', '/usr/bin/dockerd']) if (existsSync(candidate)) return candidate;
  throw new Error('dockerd not found (apt-get install docker.io)');
}

function spawnEngine(binary, base, driver, host) {
  const log = openSync(path.join(base, `dockerd-${driver}.log`), 'a');
  const child = spawn(
    binary,
    [
      '--iptables=false', '--ip6tables=false', '--bridge=none', `--storage-driver=${driver}`,
      '--data-root', path.join(base, `data-${driver}`), '--exec-root', path.join(base, 'exec'),
      '--pidfile', path.join(base, 'dockerd.pid'), '-H', host, '--userland-proxy=false',
    ],
    { stdio: ['ignore', log, log], detached: false },
  );
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

async function waitReady(host, child) {
  for (let i = 0; i < 150 && child.exitCode === null; i++) {
    const probe = spawnSync(DOCKER_CLI, ['-H', host, 'version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
    if (probe.status === 0) return true;
    await sleep(100);
  }
  return false;
}

/** SIGTERM by PID, SIGKILL after 20 s; resolves once the process has exited. */
async function terminate(running) {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  process.kill(running.child.pid, 'SIGTERM');
  const timer = setTimeout(() => running.child.exitCode === null && process.kill(running.child.pid, 'SIGKILL'), 20_000);
  await running.exited;
  clearTimeout(timer);
}

/**
 * Starts dockerd; resolves once it answers `docker version`. `storageDriver` defaults to overlay2, falling back to
 * vfs. The result's `restart()` stops the Engine by its PID and starts it again on the same data root (volumes
 * and containers kept); `halt()` only stops it (for a test that wants it away for a while), `resume()` starts
 * it again; `pid` is the running process's.
 */
export async function startDockerd({ storageDriver } = {}) {
  const binary = dockerdBinary();
  const base = mkdtempSync(path.join(tmpdir(), 'sm-dockerd-'));
  chmodSync(base, 0o711);
  const socket = path.join(base, 'docker.sock');
  const host = `unix://${socket}`;
  const drivers = storageDriver ? [storageDriver] : ['overlay2', 'vfs'];
  let lastError;
  for (const driver of drivers) {
    let running = spawnEngine(binary, base, driver, host);
    if (await waitReady(host, running.child)) {
      const engine = {
        host,
        socket,
        driver,
        base,
        logFile: path.join(base, `dockerd-${driver}.log`),
        get pid() {
          return running.child.pid;
        },
        get running() {
          return running.child.exitCode === null && running.child.signalCode === null;
        },
        halt: () => terminate(running),
        resume: async () => {
          if (engine.running) return;
          running = spawnEngine(binary, base, driver, host);
          if (!(await waitReady(host, running.child))) throw new Error(`dockerd did not start again: ${readFileSync(engine.logFile, 'utf8').split('\n').slice(-15).join('\n')}`);
        },
        restart: async () => {
          await engine.halt();
          await engine.resume();
        },
        stop: async () => {
          await terminate(running);
          spawnSync('umount', ['-R', '-l', path.join(base, `data-${driver}`)], { stdio: 'ignore' });
          rmSync(base, { recursive: true, force: true, maxRetries: 3 });
        },
      };
      return engine;
    }
    lastError = readFileSync(path.join(base, `dockerd-${driver}.log`), 'utf8').split('\n').slice(-15).join('\n');
    if (running.child.exitCode === null) {
      process.kill(running.child.pid, 'SIGKILL');
      await running.exited;
    }
  }
  rmSync(base, { recursive: true, force: true });
  throw new Error(`dockerd did not start: ${lastError}`);
}

/** Imports a one-layer busybox image as `sm-busybox:test` (no registry is reachable from the tests). */
export function importTestImage(host) {
  const existing = spawnSync(DOCKER_CLI, ['-H', host, 'image', 'inspect', TEST_IMAGE], { encoding: 'utf8' });
  if (existing.status === 0) return TEST_IMAGE;
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((candidate) => existsSync(candidate));
  if (!busybox) throw new Error('busybox not found (apt-get install busybox-static)');
  const rootfs = mkdtempSync(path.join(tmpdir(), 'sm-rootfs-'));
  try {
    for (const dir of ['bin', 'tmp', 'data', 'etc']) mkdirSync(path.join(rootfs, dir));
    copyFileSync(busybox, path.join(rootfs, 'bin', 'busybox'));
    chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const tool of ['sh', 'sleep', 'ls', 'cat', 'dd', 'mkdir', 'rm', 'touch', 'true', 'wget', 'head', 'echo']) {
      symlinkSync('busybox', path.join(rootfs, 'bin', tool));
    }
    const imported = spawnSync(DOCKER_CLI, ['-H', host, 'import', '-c', 'CMD ["sh"]', '-', TEST_IMAGE], {
      input: readTarSync(rootfs),
      encoding: 'utf8',
    });
    if (imported.status !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
    return TEST_IMAGE;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

function readTarSync(dir) {
  const result = spawnSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return result.stdout;
}
