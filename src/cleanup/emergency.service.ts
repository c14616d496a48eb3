import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { roundRatio } from '../common/format.js';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { NewEvent } from '../event-log/event.types.js';
import { emergencyPolicyOf } from '../policies/emergency.js';
import { targetKey, type Registration } from '../state/state.model.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import type { CleanupReport } from './cleanup-report.js';
import { CleanupService } from './cleanup.service.js';

export interface EmergencyTargetReport {
  readonly id: string;
  readonly volume_name: string;
  readonly path: string;
  readonly priority: number;
  readonly status: CleanupReport['status'];
  readonly detail: string | null;
  readonly files: number;
  readonly bytes: number;
  readonly first_paths: readonly string[];
}

export interface EmergencyFilesystemReport {
  readonly mountpoint: string;
  readonly before_ratio: number;
  readonly after_ratio: number;
  readonly outcome: 'below_critical' | 'targets_exhausted' | 'nothing_to_do';
  readonly targets: EmergencyTargetReport[];
}

export interface EmergencyReport {
  readonly dry_run: boolean;
  readonly automatic: boolean;
  readonly filesystems: EmergencyFilesystemReport[];
  readonly totals: { readonly files: number; readonly bytes: number };
}

/**
 * Emergency cleanup (SPEC §6): on the filesystems concerned, the `emergency` policies of their targets run in
 * `priority` order (lower loses data first; ties by target) until usage is below the critical threshold —
 * measured again after each target. A target without an emergency policy is never touched. Automatically when
 * a filesystem enters the emergency tier (SM_EMERGENCY_AUTO; a dry run in maintenance mode), and on demand
 * (POST /api/emergency-cleanup; `force` runs every emergency policy whatever the usage). One run per filesystem
 * at a time. Each run is an `emergency.completed` event, which the alert rules send whatever the cooldown.
 */
@Injectable()
export class EmergencyService implements OnModuleInit {
  private readonly logger = new Logger(EmergencyService.name);
  private readonly running = new Map<string, Promise<EmergencyFilesystemReport>>();

  constructor(
    private readonly cleanup: CleanupService,
    private readonly filesystems: FilesystemSampler,
    private readonly store: StateStore,
    private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.on(EVENTS_COMMITTED, async (events) => {
      if (!this.config.emergencyAuto) return;
      for (const event of events) {
        if (event.type !== 'filesystem.tier_changed' || event.payload.to !== 'emergency') continue;
        await this.run({ mountpoint: event.payload.mountpoint }, { dryRun: false, automatic: true, force: false });
      }
    });
  }

  async run(selection: { volumeName?: string; mountpoint?: string }, options: { dryRun: boolean; automatic: boolean; force: boolean }): Promise<EmergencyReport> {
    const targets = Object.values(this.store.current.registrations).filter((r) => r.status === 'active' && (selection.volumeName === undefined || r.volume_name === selection.volumeName));
    const mounts = new Map<string, Registration[]>();
    for (const registration of targets) {
      const mount = this.filesystems.mountOfVolume(registration.volume_name);
      if (mount === undefined || (selection.mountpoint !== undefined && mount !== selection.mountpoint)) continue;
      mounts.set(mount, [...(mounts.get(mount) ?? []), registration]);
    }
    if (selection.mountpoint !== undefined && !mounts.has(selection.mountpoint)) mounts.set(selection.mountpoint, []);
    const reports: EmergencyFilesystemReport[] = [];
    for (const [mount, registrations] of mounts) {
      // A run in progress on this filesystem is joined, not doubled.
      const current = this.running.get(mount);
      if (current) {
        reports.push(await current);
        continue;
      }
      const run = this.runFilesystem(mount, registrations, options).finally(() => this.running.delete(mount));
      this.running.set(mount, run);
      reports.push(await run);
    }
    const dryRun = options.dryRun || (options.automatic && this.store.current.maintenance.enabled);
    const all = reports.flatMap((r) => r.targets);
    return { dry_run: dryRun, automatic: options.automatic, filesystems: reports, totals: { files: sum(all, 'files'), bytes: sum(all, 'bytes') } };
  }

  private async runFilesystem(mount: string, registrations: Registration[], options: { dryRun: boolean; automatic: boolean; force: boolean }): Promise<EmergencyFilesystemReport> {
    const maintenance = options.automatic && this.store.current.maintenance.enabled;
    const dryRun = options.dryRun || maintenance;
    const before = await this.filesystems.measureNow(mount);
    const ratioOf = (reading: typeof before): number => (reading ? Math.max(reading.bytesRatio, reading.inodeRatio) : 0);
    const belowCritical = (ratio: number): boolean => ratio * 100 < this.config.tiers.criticalPct;
    const ordered = registrations
      .filter((r) => emergencyPolicyOf(r.algorithm, r.params) !== undefined)
      .sort((a, b) => priorityOf(a) - priorityOf(b) || targetKey(a.volume_name, a.path).localeCompare(targetKey(b.volume_name, b.path)));
    const startRatio = ratioOf(before);
    let ratio = startRatio;
    const total = before ? before.usage.usedBytes + before.usage.availableBytes : 0;
    const reports: EmergencyTargetReport[] = [];
    let outcome: EmergencyFilesystemReport['outcome'] = ordered.length === 0 ? 'nothing_to_do' : 'targets_exhausted';
    if (!options.force && belowCritical(ratio)) outcome = 'below_critical';
    else {
      this.logger.warn(`Emergency cleanup of ${mount} at ${(ratio * 100).toFixed(1)}% used${dryRun ? ' (dry run)' : ''}: ${ordered.length} target(s) with an emergency policy`);
      for (const registration of ordered) {
        const report = await this.cleanup.request(registration, 'emergency', { dryRun, manual: !options.automatic });
        reports.push({
          id: registration.id,
          volume_name: registration.volume_name,
          path: registration.path,
          priority: priorityOf(registration),
          status: report.status,
          detail: report.detail,
          files: report.files,
          bytes: report.bytes,
          first_paths: report.first_paths,
        });
        // Measured again (a dry run frees nothing: its planned bytes are taken off instead).
        ratio = dryRun ? Math.max(0, ratio - (total > 0 ? report.bytes / total : 0)) : ratioOf(await this.filesystems.measureNow(mount));
        if (!options.force && belowCritical(ratio)) {
          outcome = 'below_critical';
          break;
        }
      }
    }
    const files = sum(reports, 'files');
    const bytes = sum(reports, 'bytes');
    const event: NewEvent = {
      type: 'emergency.completed',
      target: `filesystem:${mount}`,
      payload: {
        mountpoint: mount,
        dry_run: dryRun,
        automatic: options.automatic,
        dry_run_reason: maintenance ? 'maintenance mode' : options.dryRun ? 'requested' : null,
        before_ratio: roundRatio(startRatio),
        after_ratio: roundRatio(ratio),
        files,
        bytes,
        targets: reports.map((r) => ({ target: targetKey(r.volume_name, r.path), priority: r.priority, files: r.files, bytes: r.bytes, first_paths: r.first_paths.slice(0, 20) })),
        outcome,
      },
    };
    await this.store.record([event]).catch((error: unknown) => this.logger.error(`Emergency cleanup of ${mount} not recorded: ${String(error)}`));
    if (reports.length > 0) this.logger.warn(`Emergency cleanup of ${mount}: ${files} files, ${bytes} bytes${dryRun ? ' (dry run)' : ''}; ${(startRatio * 100).toFixed(1)}% → ${(ratio * 100).toFixed(1)}% (${outcome})`);
    return { mountpoint: mount, before_ratio: roundRatio(startRatio), after_ratio: roundRatio(ratio), outcome, targets: reports };
  }
}

function priorityOf(registration: Registration): number {
  return typeof registration.params.priority === 'number' ? registration.params.priority : 0;
}

function sum<T extends { files: number; bytes: number }>(items: readonly T[], key: 'files' | 'bytes'): number {
  return items.reduce((n, item) => n + item[key], 0);
}
