import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Small helpers shared by the benchmarks. Figures go to stdout as aligned lines. */

export const BENCH_DIR = process.env.SM_BENCH_DIR ?? path.join(tmpdir(), 'sm-bench');

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function timeCommand(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`${command} failed with ${result.status}`);
  return performance.now() - started;
}

/** Drops the page cache where allowed (root); otherwise measurements are warm-cache, as documented. */
export function warm(root: string): void {
  execFileSync('du', ['-sb', root], { stdio: 'ignore' });
}

/**
 * A tree of `files` small files in `dirs` directories, with mtimes one second apart (oldest first by name),
 * created once and reused between runs (a marker file records its shape).
 */
export function ensureTree(name: string, files: number, dirs: number): string {
  const root = path.join(BENCH_DIR, name);
  const marker = `${root}.ready-${files}-${dirs}`;
  if (existsSync(marker) && existsSync(root)) return root;
  rmSync(root, { recursive: true, force: true });
  makeTree(root, files, dirs);
  writeFileSync(marker, '');
  return root;
}

/** `files` files of 100 bytes (`empty`: of none, as camera segments on a tmpfs in B9V and B11H) in `dirs` directories. */
export function makeTree(root: string, files: number, dirs: number, options: { setTimes?: boolean; empty?: boolean } = {}): void {
  const perDir = Math.ceil(files / dirs);
  const base = Date.now() / 1000 - files - 3600;
  const content = options.empty ? Buffer.alloc(0) : Buffer.alloc(100, 1);
  let n = 0;
  for (let d = 0; d < dirs && n < files; d++) {
    const dir = path.join(root, `d${String(d).padStart(5, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perDir && n < files; f++, n++) {
      const file = path.join(dir, `f${String(n).padStart(8, '0')}`);
      writeFileSync(file, content);
      if (options.setTimes) utimesSync(file, base + n, base + n);
    }
  }
}

export function ratio(ours: number, theirs: number): string {
  return `${(ours / theirs).toFixed(2)}×`;
}

/** The load average as /proc/loadavg gives it (1, 5, 15 minutes): printed with every figure of a shared machine. */
export function loadAverage(): string {
  try {
    return `load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
  } catch {
    return 'load ?';
  }
}
