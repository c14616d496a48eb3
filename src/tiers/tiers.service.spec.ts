import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../config/app-config.js';
import { FilesystemStats, type FilesystemUsage } from './filesystem-stats.port.js';
import { TiersService } from './tiers.service.js';

/** Filesystems whose figures a spec sets; paths under `/fs<N>/` are on device N. */
class FakeFilesystemStats extends FilesystemStats {
  readonly usages = new Map<number, FilesystemUsage>();

  set(device: number, usedPct: number, inodePct = 0): void {
    this.usages.set(device, { totalBytes: 1000, usedBytes: usedPct * 10, availableBytes: 1000 - usedPct * 10, totalInodes: 100, freeInodes: 100 - inodePct });
  }

  async usage(target: string): Promise<FilesystemUsage> {
    const usage = this.usages.get(this.device(target) ?? -1);
    if (!usage) throw new Error(`ENOENT: ${target}`);
    return usage;
  }

  async deviceOf(target: string): Promise<number | undefined> {
    const device = this.device(target);
    return device !== undefined && this.usages.has(device) ? device : undefined;
  }

  private device(target: string): number | undefined {
    const match = /^\/fs(\d+)\//.exec(target);
    return match ? Number(match[1]) : undefined;
  }
}

describe('TiersService', () => {
  const config = parseConfig({ SM_WARNING_PCT: '80', SM_TIER_HYSTERESIS_PCT: '5' }, { cwd: '/srv' });

  it('measures the filesystem behind a path: device, ratios of bytes and inodes, tier', async () => {
    const stats = new FakeFilesystemStats();
    stats.set(1, 50, 85);
    const reading = await new TiersService(stats, config).filesystemOf('/fs1/volumes/cam');
    expect(reading).toMatchObject({ device: 1, bytesRatio: 0.5, inodeRatio: 0.85, tier: 'warning' });
  });

  it('remembers each filesystem\'s tier, so every view of it applies the same hysteresis', async () => {
    const stats = new FakeFilesystemStats();
    const tiers = new TiersService(stats, config);
    stats.set(1, 81);
    stats.set(2, 77);
    expect((await tiers.filesystemOf('/fs1/a'))?.tier).toBe('warning');
    expect((await tiers.filesystemOf('/fs2/a'))?.tier).toBe('ok');
    stats.set(1, 77); // within the hysteresis of warning: still warning, for any volume on that filesystem
    expect((await tiers.filesystemOf('/fs1/b'))?.tier).toBe('warning');
    expect((await tiers.filesystemOf('/fs2/b'))?.tier).toBe('ok');
    stats.set(1, 74);
    expect((await tiers.filesystemOf('/fs1/a'))?.tier).toBe('ok');
  });

  it('answers undefined for a path that does not exist', async () => {
    expect(await new TiersService(new FakeFilesystemStats(), config).filesystemOf('/nowhere')).toBeUndefined();
  });
});
