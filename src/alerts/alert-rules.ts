import type { AlertKind, EventRecord, Tier } from '../event-log/event.types.js';
import { rank, TIERS } from '../tiers/tier.js';
import { conditionText, emergencyText, filesystemTierText, heartbeatText, targetTierText, type AlertContent } from './alert-texts.js';

/** What a committed event means for alerts: a condition starts (raise) or ends (resolve). */
export interface AlertIntent {
  /** `notify`: a thing that happened (an emergency deletion): always sent, never active. */
  readonly action: 'raise' | 'resolve' | 'notify';
  readonly scope: string;
  readonly kind: AlertKind;
  readonly tier: Tier;
  readonly content: AlertContent;
}

/**
 * The alert rules (SPEC §7), purely: from one committed event to what it raises or resolves. Tiers: entering a
 * higher tier raises it (the lower ones stay active, as Prometheus' warning and critical rules both fire);
 * falling to a lower tier resolves every tier above it (and raises the new one if it is not active — a cooldown
 * decides whether it is sent). Target tiers caused by blocked or quarantined are alerted under those
 * kinds, not twice.
 */
export function alertIntents(event: EventRecord): AlertIntent[] {
  switch (event.type) {
    case 'filesystem.tier_changed': {
      const scope = `filesystem:${event.payload.mountpoint}`;
      return tierIntents(scope, 'filesystem_tier', event.payload.from, event.payload.to, (tier, firing) => filesystemTierText(event, tier, firing));
    }
    case 'target.tier_changed': {
      const scope = `target:${event.target ?? ''}`;
      const { from, to, cause } = event.payload;
      if (cause !== 'bytes' && to !== 'ok') return [];
      return tierIntents(scope, 'target_tier', from, to, (tier, firing) => targetTierText(event, tier, firing));
    }
    case 'cleanup.failed':
      return [raise(`target:${event.target ?? ''}`, 'cleanup_failed', 'warning', event.payload.error ?? 'unknown error', event.target ?? '')];
    case 'cleanup.completed':
      return [resolve(`target:${event.target ?? ''}`, 'cleanup_failed', 'warning', event.target ?? '')];
    case 'quarantine.entered':
      return [raise(`target:${event.target ?? ''}`, 'quarantined', 'critical', event.payload.reason, event.target ?? '')];
    case 'quarantine.released':
      return [resolve(`target:${event.target ?? ''}`, 'quarantined', 'critical', event.target ?? '')];
    case 'target.blocked':
      return [raise(`target:${event.target ?? ''}`, 'blocked', 'critical', event.payload.reason, event.target ?? '')];
    case 'target.unblocked':
      return [resolve(`target:${event.target ?? ''}`, 'blocked', 'critical', event.target ?? '')];
    case 'target.watch_failed':
      return [raise(`target:${event.target ?? ''}`, 'watcher_error', 'warning', event.payload.error, event.target ?? '')];
    case 'target.watch_recovered':
      return [resolve(`target:${event.target ?? ''}`, 'watcher_error', 'warning', event.target ?? '')];
    case 'emergency.completed':
      // Every emergency deletion is alerted with what was removed, whatever the cooldown (a dry run too: it says what would go).
      if (event.payload.files === 0 && event.payload.outcome !== 'targets_exhausted') return [];
      return [{ action: 'notify', scope: `filesystem:${event.payload.mountpoint}`, kind: 'emergency_deletion', tier: 'emergency', content: emergencyText(event) }];
    case 'filesystem.forecast_changed': {
      const { mountpoint, full_within_24h, seconds_until_full, volumes } = event.payload;
      const when = seconds_until_full === null ? 'soon' : `in about ${(seconds_until_full / 3600).toFixed(1)} hours`;
      const subject = `${mountpoint} (${volumes.join(', ')})`;
      return [full_within_24h ? raise(`filesystem:${mountpoint}`, 'forecast_full', 'warning', when, subject) : resolve(`filesystem:${mountpoint}`, 'forecast_full', 'warning', subject)];
    }
    case 'service.heartbeat':
      return [{ action: 'notify', scope: 'manager', kind: 'heartbeat', tier: 'ok', content: heartbeatText(event) }];
    case 'docker.unreachable':
      return [raise('docker', 'docker_unreachable', 'warning', event.payload.error, event.payload.host)];
    case 'docker.reachable':
      return [resolve('docker', 'docker_unreachable', 'warning', event.payload.host)];
    case 'state.disk_full':
      return [raise('manager:disk', 'manager_storage', 'critical', event.payload.error ?? `${event.payload.available_bytes} bytes free`, `disk (${event.payload.path})`)];
    case 'state.disk_recovered':
      return [resolve('manager:disk', 'manager_storage', 'critical', `disk (${event.payload.path})`)];
    // Written once the database takes writes again (the spooled events follow it): the alert says there was an outage.
    case 'database.unavailable':
      return [raise('manager:database', 'manager_storage', 'critical', `${event.payload.error} (since ${event.payload.since})`, 'database')];
    case 'database.available':
      return [resolve('manager:database', 'manager_storage', 'critical', 'database')];
    case 'channel.failing':
      return [raise(`channel:${event.payload.channel}`, 'delivery_failing', 'warning', event.payload.error, event.payload.channel)];
    case 'channel.recovered':
      return [resolve(`channel:${event.payload.channel}`, 'delivery_failing', 'warning', event.payload.channel)];
    default:
      return [];
  }
}

function tierIntents(
  scope: string,
  kind: AlertKind,
  from: Tier,
  to: Tier,
  text: (tier: Tier, firing: boolean) => AlertContent,
): AlertIntent[] {
  if (rank(to) > rank(from)) return [{ action: 'raise', scope, kind, tier: to, content: text(to, true) }];
  if (rank(to) === rank(from)) return [];
  // Every tier above the new one ends, highest first (each resolution is sent only if its raise was); the new
  // tier is raised unless it is active already (it was raised on the way up).
  const intents: AlertIntent[] = TIERS.filter((tier) => rank(tier) > rank(to) && rank(tier) <= rank(from))
    .reverse()
    .map((tier) => ({ action: 'resolve' as const, scope, kind, tier, content: text(tier, false) }));
  if (to !== 'ok') intents.push({ action: 'raise', scope, kind, tier: to, content: text(to, true) });
  return intents;
}

type ConditionKind = Parameters<typeof conditionText>[0];

function raise(scope: string, kind: ConditionKind, tier: Tier, reason: string, subject: string): AlertIntent {
  return { action: 'raise', scope, kind, tier, content: conditionText(kind, subject, reason, true) };
}

function resolve(scope: string, kind: ConditionKind, tier: Tier, subject: string): AlertIntent {
  return { action: 'resolve', scope, kind, tier, content: conditionText(kind, subject, '', false) };
}
