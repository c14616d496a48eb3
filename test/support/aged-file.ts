import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `bytes` bytes at `relative` under `root`, modified `ageSeconds` ago (negative: in the future). */
export function writeAgedFile(root: string, relative: string, bytes: number, ageSeconds: number): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.alloc(bytes, 7));
  const when = new Date(Date.now() - ageSeconds * 1000);
  utimesSync(file, when, when);
}
