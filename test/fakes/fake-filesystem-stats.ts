import { FilesystemStats, type FilesystemIdentity, type FilesystemUsage } from '../../src/tiers/filesystem-stats.port.js';

/** Filesystems whose figures a spec sets: every path under a mount point a spec added is on that filesystem. */
export class FakeFilesystemStats extends FilesystemStats {
  private readonly mounts = new Map<string, { usage: FilesystemUsage; device: number }>();

  /** Sets a filesystem of `total` bytes with `used` of them used (and `inodePct` of 1000 inodes). */
  set(mountPoint: string, used: number, total = 1000, inodePct = 0): void {
    const device = this.mounts.get(mountPoint)?.device ?? this.mounts.size + 1;
    this.mounts.set(mountPoint, { device, usage: { totalBytes: total, usedBytes: used, availableBytes: total - used, totalInodes: 1000, freeInodes: 1000 - inodePct * 10 } });
  }

  async usage(target: string): Promise<FilesystemUsage> {
    const mount = this.mountOf(target);
    if (!mount) throw new Error(`ENOENT: ${target}`);
    return this.mounts.get(mount)!.usage;
  }

  async identify(target: string): Promise<FilesystemIdentity | undefined> {
    const mount = this.mountOf(target);
    return mount ? { mountPoint: mount, device: this.mounts.get(mount)!.device, fsType: 'fakefs' } : undefined;
  }

  private mountOf(target: string): string | undefined {
    return [...this.mounts.keys()].filter((m) => target === m || target.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
  }
}
