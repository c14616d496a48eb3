import type { AlertKind, AlertMessage, EventRecord, Tier } from '../event-log/event.types.js';
import { formatBytes } from '../common/format.js';
import { PARTLY_WATCHED } from '../measuring/watch.port.js';

/**
 * Every alert text, in one place, so they can be read and improved side by side. A title is one line a person
 * can triage from a phone's lock screen (tier first, then where and how bad); a text says what happened,
 * where, how full, and what to do.
 */
export type AlertContent = Pick<AlertMessage, 'title' | 'text' | 'details'>;

const TAG: Record<Tier, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', emergency: 'EMERGENCY' };
const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
const volumesOf = (volumes: readonly string[]): string => volumes.join(', ');

export function filesystemTierText(event: EventRecord<'filesystem.tier_changed'>, tier: Tier, firing: boolean): AlertContent {
  const p = event.payload;
  const where = `${p.mountpoint} (${volumesOf(p.volumes)})`;
  const full = `${pct(Math.max(p.used_ratio, p.inode_ratio))} used${p.inode_ratio > p.used_ratio ? ' (inodes)' : ''}, ${formatBytes(p.available_bytes)} free of ${formatBytes(p.total_bytes)}`;
  const details = { mountpoint: p.mountpoint, volumes: p.volumes, used_ratio: p.used_ratio, inode_ratio: p.inode_ratio, available_bytes: p.available_bytes, total_bytes: p.total_bytes, tier: p.to };
  if (!firing) {
    return {
      title: `[RESOLVED] ${p.mountpoint} left ${tier}: ${pct(Math.max(p.used_ratio, p.inode_ratio))} used`,
      text: `The filesystem ${where} is out of the ${tier} tier: ${full}. It is now ${p.to}.`,
      details,
    };
  }
  const todo =
    tier === 'emergency'
      ? 'Emergency policies of the targets on it run now (where SM_EMERGENCY_AUTO is on); see GET /api/health and /metrics/storage for what takes the space.'
      : 'See GET /metrics/storage for what takes the space; lower a cap or add an emergency policy to the targets on it.';
  return {
    title: `[${TAG[tier]}] ${p.mountpoint} ${pct(Math.max(p.used_ratio, p.inode_ratio))} full — ${volumesOf(p.volumes)}`,
    text: `The filesystem ${where} entered the ${tier} tier (from ${p.from}): ${full}.\n${todo}`,
    details,
  };
}

export function targetTierText(event: EventRecord<'target.tier_changed'>, tier: Tier, firing: boolean): AlertContent {
  const target = event.target ?? '';
  const details = { target, bytes: event.payload.bytes, reason: event.payload.reason, tier: event.payload.to };
  if (!firing) return { title: `[RESOLVED] ${target} left ${tier}: ${formatBytes(event.payload.bytes)}`, text: `The target ${target} is out of the ${tier} tier: ${event.payload.reason}.`, details };
  return {
    title: `[${TAG[tier]}] ${target} holds ${formatBytes(event.payload.bytes)}`,
    text: `The target ${target} entered the ${tier} tier: ${event.payload.reason}.\nIts policy keeps running; raise warning_bytes/critical_bytes or tighten the policy if this is expected to last.`,
    details,
  };
}

export function conditionText(kind: Exclude<AlertKind, 'filesystem_tier' | 'target_tier' | 'emergency_deletion' | 'heartbeat' | 'test'>, subject: string, reason: string, firing: boolean): AlertContent {
  const details = { subject, reason };
  if (!firing) {
    const ended: Record<typeof kind, string> = {
      cleanup_failed: `Cleanups of ${subject} succeed again.`,
      quarantined: `${subject} is out of quarantine: cleanups run again.`,
      blocked: `${subject} is back under its cap.`,
      forecast_full: `${subject} is no longer forecast to fill within 24 hours.`,
      watcher_error: `${subject} is watched again: writes are seen as they happen.`,
      delivery_failing: `The alert channel ${subject} delivers again; alerts held for it are sent now.`,
      docker_unreachable: `The Docker Engine ${subject} answers again; volumes and labels are followed again.`,
      manager_storage: `The storage manager's ${subject} takes writes again; requests that change registrations are accepted again.`,
    };
    return { title: `[RESOLVED] ${ended[kind]}`, text: ended[kind], details };
  }
  switch (kind) {
    case 'cleanup_failed':
      return {
        title: `[WARNING] Cleanup of ${subject} failed`,
        text: `A cleanup of ${subject} failed: ${reason}.\nAfter SM_QUARANTINE_AFTER failures in a row the target is quarantined. Check permissions and the target directory.`,
        details,
      };
    case 'quarantined':
      return {
        title: `[CRITICAL] ${subject} quarantined: cleanups stopped`,
        text: `${subject} is quarantined: ${reason}.\nNothing is deleted there until it is released: fix the cause, then POST /api/registrations/<id>/unquarantine.`,
        details,
      };
    case 'blocked':
      return {
        title: `[CRITICAL] ${subject} over its cap, nothing more may be deleted`,
        text: `${subject} stays over its cap: ${reason}.\nFiles younger than min_age_seconds, excluded or protected cannot go; raise the cap or loosen the policy.`,
        details,
      };
    case 'forecast_full':
      return { title: `[WARNING] ${subject} forecast full: ${reason}`, text: `At its current growth, ${subject} fills up ${reason}.\nSee /metrics/storage for what grows.`, details };
    case 'watcher_error':
      if (reason.startsWith(PARTLY_WATCHED)) {
        return {
          title: `[WARNING] ${subject} partly watched: the rest swept every few seconds`,
          text: `${subject}: ${reason}.\nThose directories are listed and their files re-read at each of those sweeps, so a write over the cap there waits for the next one; watching them is retried then. Raise the limit the message names (sysctl) to have them watched again.`,
          details,
        };
      }
      return {
        title: `[WARNING] ${subject} not watched: sweeps only`,
        text: `${subject} cannot be watched: ${reason}.\nIt is still measured and enforced by the sweeps every SM_CHECK_INTERVAL_SECONDS, but a write over its cap waits for the next one. If the message names fs.inotify.max_user_watches, raise it (sysctl) or set watch: "poll" on the registration.`,
        details,
      };
    case 'docker_unreachable':
      return {
        title: `[WARNING] Docker Engine ${subject} unreachable`,
        text:
          `The Docker Engine ${subject} cannot be asked: ${reason}.\n` +
          'No registration is removed or made pending meanwhile, and measured targets keep being cleaned; new containers, ' +
          'labels and volumes are seen once it answers again (retried with backoff). Check the Engine and the socket or socket proxy (SM_DOCKER_HOST).',
        details,
      };
    case 'manager_storage':
      return {
        title: `[CRITICAL] Storage manager's ${subject} cannot take writes`,
        text:
          `The storage manager's ${subject} cannot take writes: ${reason}.\n` +
          'Cleanups go on and are recorded (in the released reserve, or spooled in memory and written once it can); requests that change ' +
          'registrations are refused meanwhile (507 on a full disk, 503 while the database is away). Free space on it, or bring the database back.',
        details,
      };
    case 'delivery_failing':
      return {
        title: `[WARNING] Alert channel ${subject} failing`,
        text: `Alerts cannot be delivered through ${subject}: ${reason}.\nThey are kept and retried; check the channel's settings (POST /api/alerts/test).`,
        details,
      };
  }
}

export function emergencyText(event: EventRecord<'emergency.completed'>): AlertContent {
  const p = event.payload;
  const verb = p.dry_run ? 'would delete' : 'deleted';
  const lines = p.targets.map((t) => `  ${t.target} (priority ${t.priority}): ${t.files} files, ${formatBytes(t.bytes)}${t.first_paths.length > 0 ? ` — ${t.first_paths.slice(0, 5).join(', ')}${t.files > 5 ? ', …' : ''}` : ''}`);
  const dry = p.dry_run ? ` (dry run: ${p.dry_run_reason ?? 'requested'}; nothing was deleted)` : '';
  const outcome = { below_critical: 'It is below the critical threshold again.', targets_exhausted: 'Every target with an emergency policy has given what it could: it is still over the critical threshold, free space by hand.', nothing_to_do: 'Nothing was deletable.' }[p.outcome];
  return {
    title: `[EMERGENCY] ${p.mountpoint}: emergency cleanup ${verb} ${p.files} files, ${formatBytes(p.bytes)}${p.dry_run ? ' (dry run)' : ''}`,
    text: `${p.automatic ? 'The filesystem entered the emergency tier; the' : 'On request, the'} emergency policies ${verb} ${p.files} files (${formatBytes(p.bytes)}) on ${p.mountpoint}${dry}: ${pct(p.before_ratio)} → ${pct(p.after_ratio)} used.\n${lines.join('\n')}\n${outcome}`,
    details: { mountpoint: p.mountpoint, dry_run: p.dry_run, automatic: p.automatic, files: p.files, bytes: p.bytes, before_ratio: p.before_ratio, after_ratio: p.after_ratio, targets: p.targets.map((t) => t.target) },
  };
}

export function heartbeatText(event: EventRecord<'service.heartbeat'>): AlertContent {
  const p = event.payload;
  return {
    title: `[HEARTBEAT] storage-manager is running: ${p.filesystems} filesystems, ${p.targets} targets, worst tier ${p.worst_tier}`,
    text: `storage-manager is running and watching ${p.filesystems} filesystems and ${p.targets} targets. The worst tier is ${p.worst_tier}; ${p.active_alerts} alert(s) are active.\nThis message comes every SM_ALERT_HEARTBEAT_HOURS: when it stops coming, the manager is down.`,
    details: { ...p },
  };
}

export function testText(at: string): AlertContent {
  return {
    title: '[TEST] storage-manager alert channel test',
    text: `This is a test alert sent at ${at} by POST /api/alerts/test. If you read this, the channel works.`,
    details: { test: true },
  };
}
