import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A real small filesystem for a test: a tmpfs of `size` bytes mounted under a temporary directory (needs root). */
export function mountTmpfs(name: string, size: number, inodes = 4096): { mount: string; usedPct(): number; unmount(): void } {
  if (process.getuid?.() !== 0) throw new Error(`the ${name} tests mount a tmpfs: run them as root (CI does)`);
  const base = mkdtempSync(path.join(tmpdir(), `sm-${name}-`));
  const mount = path.join(base, 'fs');
  mkdirSync(mount);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},nr_inodes=${inodes}`, 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount -t tmpfs failed: ${mounted.stderr}`);
  return {
    mount,
    usedPct: () => {
      const s = statfsSync(mount);
      return ((s.blocks - s.bfree) / (s.blocks - s.bfree + s.bavail)) * 100;
    },
    unmount: () => {
      spawnSync('umount', [mount]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
