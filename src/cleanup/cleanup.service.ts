import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { TimeSlices } from '../common/time-slices.js';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { FIRST_PATHS, type CleanupReport, type PreviewReport, type Trigger } from './cleanup-report.js';
import { CLEANUP_RAN } from './cleanup.topics.js';
import { DeletionJournalService, type RunIntent } from './deletion-journal.service.js';
import { FileDeleter, type DeletionOptions, type DeletionReport } from './file-deleter.port.js';
import type { FileEntry } from '../measuring/file-entry.js';
import type { NewEvent } from '../event-log/event.types.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import type { TargetMonitor } from '../measuring/target-monitor.js';
import type { Plan } from '../policies/plan.js';
import type { Policy } from '../policies/policy.js';
import { emergencyPolicyOf } from '../policies/emergency.js';
import { findPolicy } from '../policies/policy.registry.js';
import { targetKey, targetRecord, type Registration } from '../state/state.model.js';
import { StateStore } from '../state/state.store.js';
import { VolumeCatalog } from '../volumes/volume-catalog.js';

/** How many times a plan is redone when its candidates turned out stale on disk. */
const MAX_REPLANS = 3;
/** Files per deletion batch: each batch's intent is synced before the batch is deleted. */
export const DELETION_BATCH = 1000;
/** From this many files a target's order is built ahead in slices (see prepareOrder). */
const ORDER_AHEAD_FROM_FILES = 4096;

/**
 * Runs a registration's policy against its measured files: plans, re-checks the candidates on disk,
 * deletes through the safe deleter, and records the run. One run per target at a time; a request during a
 * run causes exactly one more run afterwards. Automatic runs are dry runs in maintenance mode.
 */
@Injectable()
export class CleanupService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CleanupService.name);
  private readonly running = new Map<string, { promise: Promise<CleanupReport>; again: Trigger | undefined }>();

  constructor(
    private readonly store: StateStore,
    private readonly measuring: MeasuringService,
    private readonly deleter: FileDeleter,
    private readonly catalog: VolumeCatalog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly journal: DeletionJournalService,
  ) {}

  /** Running cleanups finish (and are recorded) before measuring and the log stop. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  /**
   * Requests a run: single-flight per target. An automatic request during a run queues one more run (later ones
   * join it). A manual or dry-run request waits for the run in progress, then runs with its own settings — it must
   * not be answered with another run's report, nor lose its dry run or its manual standing in maintenance mode.
   */
  async request(registration: Registration, trigger: Trigger, options: { dryRun?: boolean; manual?: boolean } = {}): Promise<CleanupReport> {
    const current = this.running.get(registration.id);
    const ownSettings = options.dryRun === true || (options.manual ?? trigger === 'manual');
    if (current && ownSettings) {
      await current.promise.catch(() => undefined);
      return this.request(this.current(registration.id) ?? registration, trigger, options);
    }
    if (current) {
      current.again ??= trigger;
      return current.promise;
    }
    const entry: { promise: Promise<CleanupReport>; again: Trigger | undefined } = { promise: Promise.resolve(undefined as never), again: undefined };
    entry.promise = (async () => {
      try {
        let report = await this.run(registration, trigger, options.dryRun ?? false, options.manual ?? trigger === 'manual');
        while (entry.again) {
          const next = entry.again;
          entry.again = undefined;
          const latest = this.current(registration.id);
          if (!latest) break;
          report = await this.run(latest, next, false, next === 'manual');
        }
        return report;
      } finally {
        this.running.delete(registration.id);
      }
    })();
    this.running.set(registration.id, entry);
    return entry.promise;
  }

  /** What the policy would delete right now (never deletes). */
  async preview(registration: Registration): Promise<PreviewReport> {
    const monitor = await this.measuring.ready(registration.id);
    const plan = monitor ? this.plan(registration, monitor) : undefined;
    return {
      id: registration.id,
      files: plan?.delete.length ?? 0,
      bytes: plan?.bytes ?? 0,
      paths: plan?.delete.slice(0, FIRST_PATHS).map((f) => f.path) ?? [],
      reason: plan?.reason ?? 'not measured: the volume or the target directory does not exist',
      blocked: plan?.blocked ?? null,
      next_run_at: plan?.nextRunAt?.toISOString() ?? null,
    };
  }

  /** Waits for every running cleanup (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.promise));
  }

  /**
   * One run. `emergency` runs apply the target's emergency policy (skipped when it has none); `manual` runs
   * (the API, emergency included) delete even in maintenance mode, automatic ones become dry runs there.
   */
  private async run(registration: Registration, trigger: Trigger, requestedDryRun: boolean, manual: boolean): Promise<CleanupReport> {
    const started = performance.now();
    const key = targetKey(registration.volume_name, registration.path);
    const base = { id: registration.id, volume_name: registration.volume_name, path: registration.path, trigger };
    const skip = (detail: string): CleanupReport => ({
      ...base, dry_run: true, status: 'skipped', detail, files: 0, bytes: 0, first_paths: [], skipped: 0, errors: 0, blocked: null, next_run_at: null,
      duration_ms: Math.round(performance.now() - started),
    });
    if (registration.quarantine) return skip(`quarantined: ${registration.quarantine.reason}`);
    if (trigger === 'emergency' && !emergencyPolicyOf(registration.algorithm, registration.params)) return skip('no emergency policy');
    const monitor = await this.measuring.ready(registration.id);
    const volume = await this.catalog.find(registration.volume_name);
    if (!monitor || !volume) return skip('not measured: the volume or the target directory does not exist');
    if (!volume.manageable) return skip(`volume cannot be managed: ${volume.unmanageableReason ?? 'no local mountpoint'}`);

    const automatic = !manual;
    const dryRun = requestedDryRun || registration.params.dry_run === true || (automatic && this.store.current.maintenance.enabled);
    let intent: RunIntent | undefined;
    let report: DeletionReport | undefined;
    try {
      await this.prepareOrder(registration, monitor, trigger);
      await monitor.settle();
      let plan = this.plan(registration, monitor, trigger);
      if (!dryRun && plan.delete.length > 0) {
        for (let attempt = 0; attempt < MAX_REPLANS && (await monitor.refreshStale(plan.delete)); attempt++) {
          plan = this.plan(registration, monitor, trigger);
        }
        // The state of this moment, not of the request: a quarantine committed meanwhile (a replaced root) stops it.
        const latest = this.current(registration.id);
        if (!latest || latest.quarantine) return skip(latest?.quarantine ? `quarantined: ${latest.quarantine.reason}` : 'registration removed');
        intent = await this.journal.begin({
          registration_id: registration.id,
          target: key,
          volume_name: registration.volume_name,
          registration_path: registration.path,
          root: monitor.root,
          trigger,
          algorithm: this.algorithmOf(registration, trigger),
        });
        report = await this.deleteInBatches(monitor, plan.delete, intent, {
          deleteEmptyDirs: registration.params.delete_empty_dirs !== false,
          volumeRoot: volume.root,
        });
        await monitor.refresh(report.skipped.map((item) => item.path));
      }
      const files = report ? report.deleted.length : plan.delete.length;
      const bytes = report ? report.bytes : plan.bytes;
      const firstPaths = (report ? report.deleted.map((d) => d.path) : plan.delete.map((f) => f.path)).slice(0, FIRST_PATHS);
      const errors = report?.errors.length ?? 0;
      const failed = report !== undefined && errors > 0 && report.deleted.length === 0;
      const result: CleanupReport = {
        ...base,
        dry_run: dryRun,
        status: failed ? 'failed' : 'done',
        detail: failed ? `every deletion failed: ${report!.errors[0]!.message}` : null,
        files,
        bytes,
        first_paths: firstPaths,
        skipped: report?.skipped.length ?? 0,
        errors,
        blocked: plan.blocked,
        next_run_at: plan.nextRunAt?.toISOString() ?? null,
        duration_ms: Math.round(performance.now() - started),
      };
      await this.record(registration, key, result, !automatic || files > 0 || failed, {
        algorithm: this.algorithmOf(registration, trigger),
        reason: plan.reason,
        intent,
        deleted: report?.deleted ?? [],
      });
      this.bus.publish(CLEANUP_RAN, { registration, report: result, nextRunAt: plan.nextRunAt });
      if (files > 0 && !dryRun) this.logger.log(`Cleanup of ${key} (${trigger}): ${files} files, ${bytes} bytes freed`);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Cleanup of ${key} (${trigger}) failed: ${message}`);
      const result: CleanupReport = {
        ...base, dry_run: dryRun, status: 'failed', detail: message, files: 0, bytes: 0, first_paths: [], skipped: 0, errors: 1,
        blocked: null, next_run_at: null, duration_ms: Math.round(performance.now() - started),
      };
      // Nothing deleted: the intent goes. Otherwise it stays open and is reconciled against the disk at the next start.
      if (intent && !(report?.deleted.length)) this.journal.discard(intent.run);
      await this.record(registration, key, result, true);
      return result;
    }
  }

  /**
   * Plans over the monitor's live index as an ordered view: the policy reads only as far as it needs, so a
   * crossing that deletes k files of an n-file target costs about k reads and O(k log n) upkeep of the orders.
   */
  private plan(registration: Registration, monitor: TargetMonitor, trigger: Trigger = 'sweep'): Plan {
    const { policy, params } = this.policyOf(registration, trigger);
    return policy.plan(monitor.files, params, this.clock.now());
  }

  /**
   * The order the policy reads, built ahead in slices of the event loop (the first read after each rescan). A small
   * target's is left to its first read, which builds it at once (at most ~2 ms): at start-up a thousand
   * targets under their caps never read theirs, and building each ahead was half a second of the loop.
   */
  private async prepareOrder(registration: Registration, monitor: TargetMonitor, trigger: Trigger): Promise<void> {
    const { policy, params } = this.policyOf(registration, trigger);
    if (policy.orderKey && monitor.files.size >= ORDER_AHEAD_FROM_FILES) await monitor.files.prepareOrder(policy.orderKey(params), new TimeSlices());
  }

  private policyOf(registration: Registration, trigger: Trigger): { policy: Policy; params: Readonly<Record<string, unknown>> } {
    if (trigger === 'emergency') {
      const emergency = emergencyPolicyOf(registration.algorithm, registration.params);
      if (!emergency) throw new Error('no emergency policy');
      return emergency;
    }
    const policy = findPolicy(registration.algorithm);
    if (!policy) throw new Error(`unknown algorithm ${registration.algorithm}`);
    return { policy, params: registration.params };
  }

  /**
   * Deletes in batches of DELETION_BATCH, each written to the run's intent (synced) before it is deleted. A batch
   * that throws (an unsafe root) ends the run: with what earlier batches deleted as its report, or rethrown when
   * nothing was deleted. Each batch's deleted files leave the monitor's index right away (their deletion events,
   * arriving later, then find nothing to read again).
   */
  private async deleteInBatches(monitor: TargetMonitor, files: readonly FileEntry[], intent: RunIntent, options: DeletionOptions): Promise<DeletionReport> {
    const total: DeletionReport = { deleted: [], skipped: [], bytes: 0, dirsRemoved: 0, errors: [], processed: 0 };
    for (let start = 0; start < files.length; start += DELETION_BATCH) {
      const batch = files.slice(start, start + DELETION_BATCH);
      await intent.intend(batch);
      let part: DeletionReport;
      try {
        part = await this.deleter.deleteFiles(monitor.root, batch, options);
      } catch (error) {
        if (total.deleted.length === 0) throw error;
        total.errors.push({ path: batch[0]!.path, message: error instanceof Error ? error.message : String(error) });
        break;
      }
      const deleted = new Set(part.deleted.map((d) => d.path));
      await monitor.forgetDeleted(batch.filter((entry) => deleted.has(entry.path)));
      total.deleted.push(...part.deleted);
      total.skipped.push(...part.skipped);
      total.errors.push(...part.errors);
      total.bytes += part.bytes;
      total.dirsRemoved += part.dirsRemoved;
      total.processed += part.processed;
    }
    return total;
  }

  private algorithmOf(registration: Registration, trigger: Trigger): string {
    if (trigger !== 'emergency') return registration.algorithm;
    return emergencyPolicyOf(registration.algorithm, registration.params)?.policy.name ?? registration.algorithm;
  }

  /** Records the run; failures count towards quarantine; blocked state changes are events too. */
  private async record(
    registration: Registration,
    key: string,
    result: CleanupReport,
    worthAnEvent: boolean,
    run?: { algorithm: string; reason: string; intent: RunIntent | undefined; deleted: ReadonlyArray<{ path: string; size: number }> },
  ): Promise<void> {
    const events: NewEvent[] = [];
    if (run?.intent && run.deleted.length === 0) this.journal.discard(run.intent.run);
    if (result.status === 'failed') {
      events.push({ type: 'cleanup.failed', target: key, payload: { id: registration.id, trigger: result.trigger, error: result.detail } });
      const failures = targetRecord(this.store.current, key).failures + 1;
      if (failures >= this.config.quarantineAfter && !registration.quarantine) {
        events.push({
          type: 'quarantine.entered',
          target: key,
          payload: { id: registration.id, reason: `${failures} failed cleanups in a row: ${result.detail}` },
        });
        this.logger.error(`${key} quarantined after ${failures} failed cleanups`);
      }
    } else if (worthAnEvent) {
      events.push({
        type: 'cleanup.completed',
        target: key,
        payload: {
          id: registration.id,
          trigger: result.trigger,
          dry_run: result.dry_run,
          files: result.files,
          bytes: result.bytes,
          skipped: result.skipped,
          errors: result.errors,
          duration_ms: result.duration_ms,
          first_paths: result.first_paths,
          ...(run ? { algorithm: run.algorithm, reason: run.reason } : {}),
          ...(run?.intent && run.deleted.length > 0 ? { run: run.intent.run } : {}),
        },
        ...(run?.intent && run.deleted.length > 0
          ? { uid: run.intent.run, deleted: DeletionJournalService.records(registration.volume_name, registration.path, run.deleted) }
          : {}),
      });
    }
    const wasBlocked = targetRecord(this.store.current, key).blocked;
    if (result.status !== 'failed' && result.blocked && !wasBlocked) {
      events.push({ type: 'target.blocked', target: key, payload: { id: registration.id, reason: result.blocked.reason, over_by: result.blocked.overBy, unit: result.blocked.unit } });
      this.logger.warn(`${key} is blocked: ${result.blocked.reason}`);
    } else if (result.status !== 'failed' && !result.blocked && wasBlocked) {
      events.push({ type: 'target.unblocked', target: key, payload: { id: registration.id } });
    }
    await this.store.record(events);
  }

  private current(id: string): Registration | undefined {
    return Object.values(this.store.current.registrations).find((r) => r.id === id);
  }
}
