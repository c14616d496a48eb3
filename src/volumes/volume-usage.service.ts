import path from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { TreeReader } from '../measuring/tree-reader.port.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { StateStore } from '../state/state.store.js';
import { VolumeCatalog } from './volume-catalog.js';

export const VOLUME_USAGE_JOB = 'volume-usage';

/** A size measured by a background walk. */
export interface MeasuredUsage {
  readonly bytes: number;
  readonly files: number;
  readonly measuredAt: Date;
}

/**
 * Sizes of the trees no target's index covers — volumes without a `/` target, targets not measured yet —
 * measured in the background by the scanner (in its worker thread), one tree at a time, every
 * SM_MONITOR_INTERVAL_SECONDS. Requests only read what was measured (`known`), so a listing never waits for a
 * walk: a 1M-file volume costs its walk once per interval, off the request path, whatever the request rate.
 * A tree asked for and not measured yet is measured at once, in the background.
 */
@Injectable()
export class VolumeUsageService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(VolumeUsageService.name);
  private readonly figures = new Map<string, MeasuredUsage>();
  /** Trees asked for since the last pass that no pass has measured yet. */
  private readonly asked = new Set<string>();
  private pass: Promise<void> | undefined;
  private again = false;
  private changes = 0;

  constructor(
    private readonly catalog: VolumeCatalog,
    private readonly store: StateStore,
    private readonly measuring: MeasuringService,
    private readonly reader: TreeReader,
    private readonly scheduler: SchedulerService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.every(VOLUME_USAGE_JOB, this.config.intervals.monitorSeconds, () => this.measureAll());
  }

  /** The first pass starts with the service, in the background. */
  onApplicationBootstrap(): void {
    this.measureSoon();
  }

  /** Bumped whenever a figure is set, changed or forgotten: answers built from `known` are current while it holds. */
  get version(): number {
    return this.changes;
  }

  /** What the last walk of `absolutePath` found; undefined (and a walk scheduled) when it was never measured. */
  known(absolutePath: string): MeasuredUsage | undefined {
    const figure = this.figures.get(absolutePath);
    if (!figure && !this.asked.has(absolutePath)) {
      this.asked.add(absolutePath);
      this.measureSoon();
    }
    return figure;
  }

  /** Measures every tree that needs it now; a pass in progress is followed by one more. */
  measureAll(): Promise<void> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      try {
        do {
          this.again = false;
          await this.measurePass();
          // Trees asked for during the pass that it did not measure get one more; those it measured do not.
        } while ((this.again || this.asked.size > 0) && this.scheduler.isRunning);
      } finally {
        this.pass = undefined;
      }
    })();
    return this.pass;
  }

  /** A pass now, unless one is under way: that one (or the one after it) measures what was asked meanwhile. */
  private measureSoon(): void {
    if (!this.scheduler.isRunning || this.pass) return;
    this.measureAll().catch((error: unknown) => this.logger.warn(`Volume usage pass failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async measurePass(): Promise<void> {
    const wanted = new Set(this.asked);
    this.asked.clear();
    const registrations = Object.values(this.store.current.registrations);
    for (const volume of await this.catalog.list()) {
      // Never walked: volumes without local data, and Docker volumes while the Engine's report gives their size.
      if (!volume.manageable) continue;
      const own = registrations.filter((r) => r.volume_name === volume.name);
      const whole = own.find((r) => r.path === '/' && this.measuring.tally(r.id) !== undefined);
      if (!whole && !volume.engineUsage) wanted.add(volume.root);
      for (const r of own) if (this.measuring.tally(r.id) === undefined) wanted.add(path.join(volume.root, r.path));
    }
    const seen = new Set<string>();
    for (const tree of wanted) {
      if (!this.scheduler.isRunning) return;
      seen.add(tree);
      this.asked.delete(tree);
      try {
        const usage = await this.reader.usage(tree);
        this.figures.set(tree, { bytes: usage.bytes, files: usage.files, measuredAt: this.clock.now() });
        this.changes++;
      } catch (error) {
        if (this.figures.delete(tree)) this.changes++;
        this.logger.debug(`Could not measure ${tree}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // Trees nobody needs any more are forgotten (a removed volume, a target that got its own index).
    for (const tree of this.figures.keys()) {
      if (!seen.has(tree) && !this.asked.has(tree)) {
        this.figures.delete(tree);
        this.changes++;
      }
    }
  }
}
