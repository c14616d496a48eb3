import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CLEANUP_RAN } from '../cleanup/cleanup.topics.js';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { EventRecord } from '../event-log/event.types.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { TALLY_CHANGED } from '../measuring/measuring.topics.js';
import { targetKey, targetRecord, type ManagerState, type Registration } from '../state/state.model.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { GrowthTracker } from './forecast.js';
import { targetTierOf } from './tier.js';

/** Events after which a target's tier may have changed without its tally moving. */
const TIER_INPUTS = new Set<EventRecord['type']>([
  'registration.created',
  'registration.updated',
  'quarantine.entered',
  'quarantine.released',
  'target.blocked',
  'target.unblocked',
]);

/**
 * Keeps each target's tier (warning_bytes/critical_bytes; blocked or quarantined → critical) and records every
 * change as `target.tier_changed`: on tally changes and on the events that change its other inputs. Tracks each
 * target's growth the way filesystems' is (upper envelope, see forecast.ts).
 */
@Injectable()
export class TargetTiers implements OnModuleInit {
  private readonly logger = new Logger(TargetTiers.name);
  private readonly growth = new Map<string, GrowthTracker>();

  constructor(
    private readonly store: StateStore,
    private readonly measuring: MeasuringService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.on(TALLY_CHANGED, ({ registration, monitor }) => {
      const tracker = this.growth.get(registration.id) ?? new GrowthTracker();
      this.growth.set(registration.id, tracker);
      tracker.add(this.clock.now().getTime(), monitor.tally.bytes);
      return this.update(registration, monitor.tally.bytes);
    });
    // A cleanup's deletions reach the index directly (no tally.changed): its end re-decides the tier.
    this.bus.on(CLEANUP_RAN, ({ registration }) => this.update(registration, this.measuring.tally(registration.id)?.bytes ?? 0));
    this.bus.on(EVENTS_COMMITTED, async (events) => {
      for (const event of events) {
        if (event.type === 'registration.removed') this.growth.delete(event.payload.id);
        if (!TIER_INPUTS.has(event.type) || !event.target) continue;
        const registration = this.store.current.registrations[event.target];
        if (registration) await this.update(registration, this.measuring.tally(registration.id)?.bytes ?? 0);
      }
    });
  }

  /** Robust growth of a target in bytes per second (null until there is enough history). */
  growthOf(registrationId: string): number | null {
    return this.growth.get(registrationId)?.forecast(Number.MAX_SAFE_INTEGER, this.clock.now().getTime()).bytesPerSecond ?? null;
  }

  /** Re-decides one target's tier; records a change (under the store's lock, so never twice). */
  async update(target: Pick<Registration, 'id' | 'volume_name' | 'path'>, bytes: number): Promise<void> {
    const current = this.decide(this.store.current, target, bytes);
    if (!current || current.to === current.from) return;
    await this.store.transact((state) => {
      const decision = this.decide(state, target, bytes);
      if (!decision || decision.to === decision.from) return { events: [], result: undefined };
      const { registration, key, from, to, reason, cause } = decision;
      if (to === 'ok') this.logger.log(`${key}: tier ${from} → ${to} (${reason})`);
      else this.logger.warn(`${key}: tier ${from} → ${to} (${reason})`);
      return { events: [{ type: 'target.tier_changed', target: key, payload: { id: registration.id, from, to, reason, cause, bytes } }], result: undefined };
    });
  }

  /** By key (a tally change is frequent: no scan of every registration); the same id, or it was replaced. */
  private decide(state: Readonly<ManagerState>, target: Pick<Registration, 'id' | 'volume_name' | 'path'>, bytes: number) {
    const key = targetKey(target.volume_name, target.path);
    const registration = state.registrations[key];
    if (!registration || registration.id !== target.id) return undefined;
    const record = targetRecord(state, key);
    const params = registration.params;
    const { tier, reason, cause } = targetTierOf(
      {
        bytes,
        warningBytes: typeof params.warning_bytes === 'number' ? params.warning_bytes : undefined,
        criticalBytes: typeof params.critical_bytes === 'number' ? params.critical_bytes : undefined,
        blocked: record.blocked !== null,
        quarantined: registration.quarantine !== null,
      },
      this.config.tiers.hysteresisPct,
      record.tier,
    );
    return { registration, key, from: record.tier, to: tier, reason, cause };
  }
}
