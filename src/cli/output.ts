import { formatBytes } from '../common/format.js';

/** Where a command writes: results to stdout, problems and warnings to stderr. */
export interface Output {
  out(line?: string): void;
  err(line?: string): void;
}

export const processOutput: Output = {
  out: (line = '') => void process.stdout.write(`${line}\n`),
  err: (line = '') => void process.stderr.write(`${line}\n`),
};

export function json(output: Output, value: unknown): void {
  output.out(JSON.stringify(value, null, 2));
}

/** Rows as aligned columns (the last column is not padded). */
export function table(rows: ReadonlyArray<readonly string[]>, indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function bytes(value: number | null | undefined): string {
  return value === null || value === undefined ? '?' : formatBytes(value);
}

/** An instant as `2026-02-24 10:00:00Z`. */
export function instant(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'never';
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
