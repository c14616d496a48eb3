import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(PROJECT_ROOT, 'dist/main.js');

/** The built service running as a child process, as an operator would run it. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the base URL once the service logs that it listens. */
  readonly ready: Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output contains `pattern`. */
  waitForOutput(pattern: RegExp): Promise<void>;
}

/**
 * Starts dist/main.js with `env` (and no SM_* variable of this process). `launcher`: a command that runs the service
 * for it, given the node binary and dist/main.js as its last two arguments, and that ends by exec'ing them (so that
 * the child's pid is the service's): `unshare` with a small shell, for instance.
 */
export function spawnService(env: Record<string, string>, cwd: string, launcher?: { command: string; args: string[] }): ServiceProcess {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` first');
  const cleanEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SM_') && value !== undefined) cleanEnv[key] = value;
  }
  const [command, args] = launcher ? [launcher.command, [...launcher.args, process.execPath, MAIN]] : [process.execPath, [MAIN]];
  const child = spawn(command, args, { cwd, env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const waitForOutput = (pattern: RegExp): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(output)) return resolve();
      waiters.push({ pattern, resolve });
      void exited.then((code) => reject(new Error(`service exited (${code}) before printing ${pattern}:\n${output}`)));
    });
  const ready = waitForOutput(/Listening on (http:\/\/\S+)/).then(() => /Listening on (http:\/\/\S+)/.exec(output)![1]!);
  ready.catch(() => undefined);
  return { child, pid: child.pid!, ready, exited, output: () => output, waitForOutput };
}
