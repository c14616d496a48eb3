import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { TreeUsage } from './scan-output.js';
import { TreeReader } from './tree-reader.port.js';

/**
 * Usage of directory trees that no target covers, measured on demand by the scanner (off the main thread)
 * and cached for SM_MONITOR_INTERVAL_SECONDS; concurrent requests for the same path share one walk.
 */
@Injectable()
export class UsageService {
  private readonly cache = new Map<string, { at: number; usage: Promise<TreeUsage> }>();

  constructor(
    private readonly reader: TreeReader,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  usageOf(absolutePath: string): Promise<TreeUsage> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(absolutePath);
    if (cached && now - cached.at < this.config.intervals.monitorSeconds * 1000) return cached.usage;
    const usage = this.reader.usage(absolutePath);
    this.cache.set(absolutePath, { at: now, usage });
    usage.catch(() => this.cache.delete(absolutePath));
    return usage;
  }

  /** Forgets cached figures (after a change the caller knows about). */
  invalidate(): void {
    this.cache.clear();
  }
}
