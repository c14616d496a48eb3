import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './service-process.js';

/** The built command-line program, run as an operator or a deploy script runs it: `node dist/cli/main.js …`. */
export const CLI = path.join(PROJECT_ROOT, 'dist/cli/main.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Variables on top of a clean environment (the test runner's SM_* and COMPOSE_* are left out). */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

function environment(extra: Record<string, string> = {}): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('SM_') && !key.startsWith('COMPOSE_')) clean[key] = value;
  }
  return { ...clean, ...extra };
}

/** A running CLI process, for `events --follow`. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  stdout(): string;
  /** Resolves once stdout matches; rejects if the process ends first. */
  waitForStdout(pattern: RegExp): Promise<void>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? PROJECT_ROOT, env: environment(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitForStdout = (pattern: RegExp): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(stdout)) return resolve();
      waiters.push({ pattern, resolve });
      void done.then((result) => reject(new Error(`the CLI ended (${result.code ?? result.signal}) before printing ${pattern}:\n${result.stdout}\n${result.stderr}`)));
    });
  return { child, done, stdout: () => stdout, waitForStdout };
}

/** Runs the CLI to its end (asynchronously: an in-process service keeps answering meanwhile). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
