import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { FilesystemStats, type FilesystemUsage } from './filesystem-stats.port.js';
import { tierOf, type Fullness, type Tier } from './tier.js';

export interface FilesystemReading extends Fullness {
  readonly device: number;
  readonly usage: FilesystemUsage;
  readonly tier: Tier;
}

/**
 * The one owner of filesystem tiers: measures the filesystem behind a path and gives its tier, remembering
 * the last tier of each filesystem so that hysteresis applies wherever the tier is shown (health, volumes).
 */
@Injectable()
export class TiersService {
  private readonly lastTier = new Map<number, Tier>();

  constructor(
    private readonly stats: FilesystemStats,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The filesystem holding `root`, measured now; undefined when `root` does not exist (any more). */
  async filesystemOf(root: string): Promise<FilesystemReading | undefined> {
    const device = await this.stats.deviceOf(root);
    if (device === undefined) return undefined;
    let usage: FilesystemUsage;
    try {
      usage = await this.stats.usage(root);
    } catch {
      return undefined; // vanished between the two calls
    }
    const fullness = fullnessOf(usage);
    const tier = tierOf(fullness, this.config.tiers, this.lastTier.get(device));
    this.lastTier.set(device, tier);
    return { device, usage, ...fullness, tier };
  }
}

/** Used shares of a filesystem's bytes (of what an unprivileged writer can use) and inodes. */
export function fullnessOf(usage: FilesystemUsage): Fullness {
  const denominator = usage.usedBytes + usage.availableBytes;
  return {
    bytesRatio: denominator > 0 ? usage.usedBytes / denominator : 0,
    inodeRatio: usage.totalInodes > 0 ? (usage.totalInodes - usage.freeInodes) / usage.totalInodes : 0,
  };
}
