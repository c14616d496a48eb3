import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A real small filesystem for a test: a tmpfs of `size` bytes mounted under a temporary directory (needs root). */
export function mountTmpfs(name: string, size: number, inodes = 4096): { mount: string; usedPct(): number; unmount(): void } {
  const { mount, unmount } = mountUnder(name, 'tmpfs', ['-o', `size=${size},nr_inodes=${inodes}`]);
  return {
    mount,
    usedPct: () => {
      const s = statfsSync(mount);
      return ((s.blocks - s.bfree) / (s.blocks - s.bfree + s.bavail)) * 100;
    },
    unmount,
  };
}

/**
 * A real filesystem with coarse timestamps: ramfs stamps every change with the kernel's tick, so two changes
 * within one tick leave a directory's mtime and ctime the same. (tmpfs, ext4, xfs and btrfs tell them apart once a
 * timestamp has been read, since Linux 6.13; older kernels and other filesystems do not.) Unbounded: keep it small.
 */
export function mountRamfs(name: string): { mount: string; unmount(): void } {
  return mountUnder(name, 'ramfs', []);
}

function mountUnder(name: string, type: string, options: string[]): { mount: string; unmount(): void } {
  if (process.getuid?.() !== 0) throw new Error(`the ${name} tests mount a ${type}: run them as root (CI does)`);
  const base = mkdtempSync(path.join(tmpdir(), `sm-${name}-`));
  const mount = path.join(base, 'fs');
  mkdirSync(mount);
  const mounted = spawnSync('mount', ['-t', type, ...options, type, mount], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount -t ${type} failed: ${mounted.stderr}`);
  return {
    mount,
    unmount: () => {
      spawnSync('umount', [mount]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
