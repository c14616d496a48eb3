import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { EventRecord } from '../event-log/event.types.js';
import type { Tally } from '../measuring/file-index.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { TALLY_CHANGED, TARGET_READY, TARGET_ROOT_LOST } from '../measuring/measuring.topics.js';
import type { TargetMonitor } from '../measuring/target-monitor.js';
import { findPolicy } from '../policies/policy.registry.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { targetKey, type Registration } from '../state/state.model.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import type { CleanupReport } from './cleanup-report.js';
import { CleanupService } from './cleanup.service.js';
import { CLEANUP_RAN } from './cleanup.topics.js';

/** A target whose last threshold run could not bring it under its cap is retried at most this often. */
export const STUCK_RETRY_MS = 30_000;
/** setTimeout cannot wait longer than this; longer expiries re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;
export const SWEEP_JOB = 'sweep';

/**
 * When cleanups run (SPEC §6): at once when an update takes a capped target over its cap; at once when a
 * committed change may make its policy want to act (an updated registration — API, import, deploy or labels —,
 * a release from quarantine, the end of maintenance mode: trigger `change`); at the instant the oldest file of
 * an age policy expires; on every sweep (with a rescan that records drift) and once at start. Manual runs go
 * straight to CleanupService.
 */
@Injectable()
export class TriggerService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TriggerService.name);
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly stuckUntil = new Map<string, number>();
  /**
   * Targets with a change run on its way (by id). While one is, the change run is the one run: a first scan of
   * a recreated monitor runs as `change` (not `sweep`), and its tally change starts no threshold run beside it.
   */
  private readonly changing = new Set<string>();
  /** The pass over every active target after maintenance mode ends, and whether another one is wanted. */
  private changePass: Promise<void> | undefined;
  private changePassAgain = false;
  private stopped = false;

  constructor(
    private readonly cleanup: CleanupService,
    private readonly measuring: MeasuringService,
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly scheduler: SchedulerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // A new or changed target runs its policy once its first scan is done (and so learns its next expiry).
    this.bus.on(TARGET_READY, ({ registration }) => {
      const trigger = this.changing.delete(registration.id) ? 'change' : 'sweep';
      return this.cleanup.request(registration, trigger).then(() => undefined);
    });
    this.bus.on(EVENTS_COMMITTED, (events) => this.onCommitted(events));
    this.bus.on(TALLY_CHANGED, ({ registration, monitor }) => this.onTallyChanged(registration, monitor));
    this.bus.on(TARGET_ROOT_LOST, ({ registration, reason }) => this.quarantine(registration, reason));
    this.bus.on(CLEANUP_RAN, ({ registration, nextRunAt }) => this.scheduleExpiry(registration, nextRunAt));
    this.scheduler.every(SWEEP_JOB, this.config.intervals.checkSeconds, () => this.sweep());
  }

  /** Catch up after downtime: one sweep right away (it waits for each target's first scan). */
  onApplicationBootstrap(): void {
    void this.scheduler.runNow(SWEEP_JOB);
  }

  /** No new run is triggered once shutdown begins. */
  onModuleDestroy(): void {
    this.stop();
  }

  /**
   * Every registration: rescan (drift), then run its policy. The start-up catch-up and the periodic sweep. A target
   * still on its first scan when the sweep begins is only waited for: that scan is as fresh as a rescan, and its
   * end runs the policy (TARGET_READY) — otherwise the catch-up sweep would scan and run every target twice at
   * start-up, one target after another.
   */
  async sweep(): Promise<CleanupReport[]> {
    const reports: CleanupReport[] = [];
    const registrations = Object.values(this.store.current.registrations);
    const firstScans = new Set(registrations.filter((r) => this.measuring.firstScanPending(r.id)).map((r) => r.id));
    for (const registration of registrations) {
      if (this.stopped) break;
      if (registration.status !== 'active') continue;
      if (firstScans.has(registration.id)) {
        await this.measuring.ready(registration.id);
        continue;
      }
      try {
        await this.measuring.rescan(registration);
        reports.push(await this.cleanup.request(registration, 'sweep'));
      } catch (error) {
        this.logger.error(`Sweep of ${targetKey(registration.volume_name, registration.path)} failed: ${String(error)}`);
      }
    }
    return reports;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
  }

  /** Decisions from committed events: what may make a policy want to act now. */
  private onCommitted(events: readonly EventRecord[]): void {
    if (this.stopped) return;
    for (const event of events) {
      if (event.type === 'registration.updated') this.changed(event.payload.registration.id);
      else if (event.type === 'quarantine.released') this.changed(event.payload.id);
      else if (event.type === 'maintenance.disabled') this.runEveryTarget();
    }
  }

  /**
   * Runs the target's policy at once (trigger `change`), once measuring has caught up with the commit: its sync
   * keeps the monitor, or makes a new one (a new root or watch setting, a release from quarantine) whose first
   * scan then runs the policy as `change` — one run either way. Several changes before the run make one run.
   */
  private changed(id: string): void {
    this.stuckUntil.delete(id);
    if (this.changing.has(id)) return;
    this.changing.add(id);
    void (async () => {
      try {
        await this.measuring.sync([id]);
        await this.measuring.ready(id);
      } finally {
        // Still ours: no first scan of a new monitor took the run over.
        const latest = this.changing.delete(id) ? this.registration(id) : undefined;
        if (latest && !this.stopped && latest.status === 'active' && !latest.quarantine) await this.cleanup.request(latest, 'change');
      }
    })().catch((error: unknown) => this.logger.error(`Change run of ${id} failed: ${String(error)}`));
  }

  /**
   * Maintenance mode ended: every active target runs its policy (the runs it only planned meanwhile), one after
   * another as a sweep does but without the rescan. In the background: the caller is not kept waiting.
   */
  private runEveryTarget(): void {
    this.stuckUntil.clear();
    if (this.changePass) {
      this.changePassAgain = true;
      return;
    }
    this.changePass = (async () => {
      do {
        this.changePassAgain = false;
        for (const registration of Object.values(this.store.current.registrations)) {
          if (this.stopped || this.store.current.maintenance.enabled) return;
          const latest = this.registration(registration.id);
          if (!latest || latest.status !== 'active' || latest.quarantine) continue;
          await this.cleanup.request(latest, 'change');
        }
      } while (this.changePassAgain && !this.stopped);
    })()
      .catch((error: unknown) => this.logger.error(`Run after maintenance mode failed: ${String(error)}`))
      .finally(() => (this.changePass = undefined));
  }

  private registration(id: string): Registration | undefined {
    return Object.values(this.store.current.registrations).find((r) => r.id === id);
  }

  private onTallyChanged(registration: Registration, monitor: TargetMonitor): void {
    // A change run is on its way and will see this tally.
    if (this.stopped || this.changing.has(registration.id) || registration.quarantine || !overCap(registration, monitor.tally)) return;
    const stuck = this.stuckUntil.get(registration.id);
    if (stuck !== undefined && this.clock.now().getTime() < stuck) return;
    void this.cleanup.request(registration, 'threshold').then((report) => {
      const stillOver = report.dry_run || report.blocked !== null || report.status !== 'done';
      if (stillOver) this.stuckUntil.set(registration.id, this.clock.now().getTime() + STUCK_RETRY_MS);
      else this.stuckUntil.delete(registration.id);
    });
  }

  private scheduleExpiry(registration: Registration, at: Date | null): void {
    clearTimeout(this.expiryTimers.get(registration.id));
    this.expiryTimers.delete(registration.id);
    if (this.stopped || !at) return;
    const delay = Math.max(0, at.getTime() - this.clock.now().getTime());
    const timer = setTimeout(() => {
      this.expiryTimers.delete(registration.id);
      if (delay > MAX_TIMER_MS) return this.scheduleExpiry(registration, at);
      const latest = this.store.current.registrations[targetKey(registration.volume_name, registration.path)];
      if (latest && latest.id === registration.id) void this.cleanup.request(latest, 'expiry');
    }, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    this.expiryTimers.set(registration.id, timer);
  }

  private async quarantine(registration: Registration, reason: string): Promise<void> {
    const key = targetKey(registration.volume_name, registration.path);
    const current = this.store.current.registrations[key];
    if (!current || current.quarantine) return;
    this.logger.error(`${key} quarantined: ${reason}`);
    await this.store.record([{ type: 'quarantine.entered', target: key, payload: { id: registration.id, reason } }]);
  }
}

/** Whether the tally is over the cap of the registration's policy (policies without a cap never are). */
export function overCap(registration: Registration, tally: Tally): boolean {
  return findPolicy(registration.algorithm)?.overCap?.(tally, registration.params) ?? false;
}
