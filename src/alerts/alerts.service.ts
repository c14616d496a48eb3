import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { committedEvent, type AlertMessage, type EventRecord, type NewEvent, type Tier } from '../event-log/event.types.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { worstTier } from '../tiers/tier.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { alertKey, type ActiveAlert, type ManagerState } from '../state/state.model.js';
import { applyEvent } from '../state/state.reducer.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { AlertDeliveryService } from './alert-delivery.service.js';
import { decideAlert, emergencyRepeats } from './alert-policy.js';
import { alertIntents, type AlertIntent } from './alert-rules.js';
import { testText } from './alert-texts.js';

export const EMERGENCY_REPEAT_JOB = 'alert-emergency-repeat';
export const REFRESH_JOB = 'alert-refresh';
export const HEARTBEAT_JOB = 'alert-heartbeat';
/** Active alerts are posted again this often to receivers that would forget them (Alertmanager: well within its hold). */
export const REFRESH_SECONDS = 300;

/**
 * Turns committed events into alerts (alert-rules.ts), decides what is sent under the cooldowns
 * (alert-policy.ts) and commits the result — the outbox that AlertDeliveryService drains. Cooldowns, active
 * alerts and pending deliveries are part of the state, so they survive restarts like everything else.
 */
@Injectable()
export class AlertsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly store: StateStore,
    private readonly delivery: AlertDeliveryService,
    private readonly bus: EventBus,
    private readonly scheduler: SchedulerService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly filesystems: FilesystemSampler,
  ) {}

  onModuleInit(): void {
    this.bus.on(EVENTS_COMMITTED, (events) => this.onCommitted(events));
    const every = Math.max(1, Math.min(60, this.config.alerts.emergencyRepeatSeconds));
    this.scheduler.every(EMERGENCY_REPEAT_JOB, every, () => this.repeatEmergencies());
    if (this.config.alerts.heartbeatHours > 0) this.scheduler.every(HEARTBEAT_JOB, this.config.alerts.heartbeatHours * 3600, () => this.heartbeat());
    this.scheduler.every(REFRESH_JOB, REFRESH_SECONDS, () =>
      this.delivery.refreshActive(Object.values(this.store.current.alerts.active).flatMap((a) => (a.sent && a.message ? [a.message] : []))),
    );
  }

  /** Conditions that hold with no alert for them (the manager stopped between an event and its alert) are raised now. */
  async onApplicationBootstrap(): Promise<void> {
    await this.apply(this.reconcileIntents(this.store.current));
  }

  /** Active alerts, newest first. */
  active(): Array<ActiveAlert & { scope: string; kind: string }> {
    return Object.entries(this.store.current.alerts.active)
      .map(([key, active]) => {
        const [scope, kind] = splitKey(key);
        return { scope, kind, ...active };
      })
      .sort((a, b) => b.since.localeCompare(a.since));
  }

  /** POST /api/alerts/test: one test message through every configured channel, now, with each result. */
  async test(): Promise<{ channels: Awaited<ReturnType<AlertDeliveryService['sendNow']>> }> {
    const at = this.clock.now().toISOString();
    const alert: AlertMessage = { id: randomUUID(), scope: 'manager', kind: 'test', tier: 'ok', status: 'firing', ...testText(at), at };
    const channels = await this.delivery.sendNow(alert);
    for (const result of channels) {
      if (result.ok) this.logger.log(`Test alert delivered through ${result.channel} in ${result.duration_ms} ms`);
      else this.logger.warn(`Test alert not delivered through ${result.channel}: ${result.error}`);
    }
    return { channels };
  }

  private async onCommitted(events: readonly EventRecord[]): Promise<void> {
    const intents = events.flatMap((event) => alertIntents(event));
    if (intents.length > 0) await this.apply(intents);
  }

  /** Decides each intent on the state of the moment, under the store's lock, and commits alert and outbox together. */
  private async apply(intents: readonly AlertIntent[]): Promise<void> {
    if (intents.length === 0) return;
    await this.store.transact((state) => {
      const events: NewEvent[] = [];
      // Decisions within one batch see each other (a resolution then a raise of the same alert).
      let alerts = state.alerts;
      let previousSentResolution: string | undefined;
      for (const intent of intents) {
        const decided = decideAlert(intent, alerts, this.clock.now(), this.config.alerts, this.channelsFor(intent.scope), randomUUID, previousSentResolution === `${intent.scope}|${intent.kind}`);
        previousSentResolution = decided.some((e) => e.type === 'alert.resolved') ? `${intent.scope}|${intent.kind}` : undefined;
        events.push(...decided);
        alerts = project(alerts, decided, this.clock.now());
      }
      for (const event of events) this.log(event);
      return { events, result: undefined };
    });
  }

  /** Records a heartbeat; the rules turn it into an alert on every channel. */
  private async heartbeat(): Promise<void> {
    const state = this.store.current;
    const tiers = [...Object.values(state.filesystems).map((f) => f.tier), ...Object.values(state.targets).map((t) => t.tier)];
    const worst = tiers.reduce<Tier>((a, b) => worstTier(a, b), 'ok');
    await this.store.record([
      {
        type: 'service.heartbeat',
        payload: { filesystems: this.filesystems.all().length, targets: Object.keys(state.registrations).length, worst_tier: worst, active_alerts: Object.keys(state.alerts.active).length },
      },
    ]);
  }

  private repeatEmergencies(): Promise<void> {
    return this.store.transact((state) => {
      const events = emergencyRepeats(state.alerts, this.clock.now(), this.config.alerts, this.delivery.channelNames, randomUUID);
      for (const event of events) this.log(event);
      return { events, result: undefined };
    });
  }

  /** An alert about a failing channel goes through the others. */
  private channelsFor(scope: string): string[] {
    return this.delivery.channelNames.filter((name) => scope !== `channel:${name}`);
  }

  private reconcileIntents(state: Readonly<ManagerState>): AlertIntent[] {
    const intents: AlertIntent[] = [];
    const at = this.clock.now();
    const synthetic = <T extends EventRecord['type']>(type: T, target: string | null, payload: Extract<EventRecord, { type: T }>['payload']): EventRecord =>
      ({ seq: 0, at, type, target, payload }) as EventRecord;
    for (const [mountpoint, record] of Object.entries(state.filesystems)) {
      if (state.alerts.active[alertKey(`filesystem:${mountpoint}`, 'filesystem_tier', record.tier)]) continue;
      intents.push(
        ...alertIntents(
          synthetic('filesystem.tier_changed', `filesystem:${mountpoint}`, { mountpoint, from: 'ok', to: record.tier, used_ratio: 0, inode_ratio: 0, total_bytes: 0, available_bytes: 0, volumes: [] }),
        ),
      );
    }
    for (const [key, registration] of Object.entries(state.registrations)) {
      const target = state.targets[key];
      if (registration.quarantine && !state.alerts.active[alertKey(`target:${key}`, 'quarantined', 'critical')]) {
        intents.push(...alertIntents(synthetic('quarantine.entered', key, { id: registration.id, reason: registration.quarantine.reason })));
      }
      if (target?.watch_problem && !state.alerts.active[alertKey(`target:${key}`, 'watcher_error', 'warning')]) {
        intents.push(...alertIntents(synthetic('target.watch_failed', key, { id: registration.id, error: target.watch_problem.error })));
      }
      if (target?.blocked && !state.alerts.active[alertKey(`target:${key}`, 'blocked', 'critical')]) {
        intents.push(...alertIntents(synthetic('target.blocked', key, { id: registration.id, reason: target.blocked.reason, over_by: target.blocked.over_by, unit: target.blocked.unit })));
      }
    }
    return intents;
  }

  private log(event: NewEvent): void {
    if (event.type === 'alert.raised' || event.type === 'alert.resolved') {
      const { alert, channels } = event.payload;
      this.logger.log(`${alert.title}${channels.length === 0 ? ' (no alert channel configured)' : ` → ${channels.join(', ')}`}`);
    } else if (event.type === 'alert.suppressed') {
      this.logger.debug(`Alert ${event.payload.scope} ${event.payload.kind} ${event.payload.tier} not sent: ${event.payload.reason}`);
    }
  }
}

/** The alerts part of the state after `events`, for decisions within one batch (through the reducer itself, on a copy). */
function project(alerts: ManagerState['alerts'], events: readonly NewEvent[], now: Date): ManagerState['alerts'] {
  if (events.length === 0) return alerts;
  const copy = { alerts: { active: { ...alerts.active }, lastSent: { ...alerts.lastSent }, outbox: { ...alerts.outbox }, failingChannels: { ...alerts.failingChannels } } } as ManagerState;
  for (const event of events) applyEvent(copy, committedEvent(event, 0, now));
  return copy.alerts;
}

/** `scope|kind|tier` → [scope, kind] (a scope may contain `|`: it is split from the right). */
function splitKey(key: string): [string, string] {
  const tierAt = key.lastIndexOf('|');
  const kindAt = key.lastIndexOf('|', tierAt - 1);
  return [key.slice(0, kindAt), key.slice(kindAt + 1, tierAt)];
}
