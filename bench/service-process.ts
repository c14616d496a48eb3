import { spawn, type ChildProcess } from 'node:child_process';

export interface BenchService {
  readonly child: ChildProcess;
  /** Resolves with the first match in the output written after this call; rejects if the service exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Everything the service wrote so far (stdout and stderr). */
  output(): string;
}

/**
 * The built service as a child process of a benchmark, with only the given SM_* variables; `probe` is a module
 * preloaded into it (`--import`, e.g. an event-loop delay probe). SM_BENCH_CPU_PROF=dir writes a CPU profile there.
 */
export function spawnService(main: string, env: Record<string, string>, probe?: string): BenchService {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SM_'))) as Record<string, string>;
  const profile = process.env.SM_BENCH_CPU_PROF;
  const args = [...(probe ? ['--import', probe] : []), ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), main];
  const child = spawn(process.execPath, args, { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: Array<{ pattern: RegExp; from: number; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }> = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(output.slice(waiter.from));
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`service exited ${code}:\n${output.slice(-4000)}\n`);
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`service exited ${code} before ${waiter.pattern}:\n${output.slice(-3000)}`));
  });
  return {
    child,
    output: () => output,
    waitFor: (pattern) => new Promise((resolve, reject) => waiters.push({ pattern, from: output.length, resolve, reject })),
  };
}
