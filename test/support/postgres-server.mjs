/**
 * A private PostgreSQL server for tests: initdb in a temporary directory, started on a free 127.0.0.1 port with
 * scram authentication, as user `postgres` when run as root. Used by the test runner (the PostgreSQL pass) and by
 * specs that stop and start the database under a running service. Plain ES module (see postgres-server.d.mts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The directory of initdb and pg_ctl, newest version first; undefined when PostgreSQL is not installed. */
export function findPostgresBin() {
  const candidates = [];
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  if (existsSync('/usr/lib/postgresql')) {
    for (const version of readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))) {
      candidates.push(`/usr/lib/postgresql/${version}/bin`);
    }
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
}

/** Starts a private PostgreSQL server. `say` gets a line when it starts and stops. */
export async function startPostgres({ say = () => undefined } = {}) {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql): initdb and pg_ctl are needed');
  const base = mkdtempSync(path.join(tmpdir(), 'sm-pg-'));
  chmodSync(base, 0o755);
  const data = path.join(base, 'data');
  const logFile = path.join(base, 'server.log');
  const password = `pw-${process.pid}-${Date.now()}`;
  const pwfile = path.join(base, 'pwfile');
  writeFileSync(pwfile, `${password}\n`);
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asRoot) spawnSync('chown', ['-R', 'postgres', base]);
  const exec = (command, commandArgs) => {
    const full = [...owner, path.join(bin, command), ...commandArgs];
    const result = spawnSync(full[0], full.slice(1), { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  exec('initdb', ['-D', data, '-U', 'sm', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${base} -c fsync=on -c max_connections=200`;
  const readPid = () => Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const start = () => {
    exec('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', logFile, '-o', options]);
    return readPid();
  };
  let pid = start();
  let running = true;
  say(`PostgreSQL started on 127.0.0.1:${port} (pid ${pid})`);
  return {
    url: `postgres://sm:${password}@127.0.0.1:${port}/postgres`,
    port,
    logFile,
    get pid() {
      return pid;
    },
    get running() {
      return running;
    },
    /** `pg_ctl stop -m fast`: connections are ended, the data directory stays. */
    halt() {
      exec('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', data]);
      running = false;
    },
    /** Starts the server again on the same data directory and port. */
    resume() {
      pid = start();
      running = true;
    },
    /** Stops the server (fast shutdown, by PID) and removes its directory. */
    async stop() {
      if (running) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // already gone
        }
        for (let i = 0; i < 300 && existsSync(path.join(data, 'postmaster.pid')); i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        running = false;
        say(`PostgreSQL (pid ${pid}) stopped`);
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}
