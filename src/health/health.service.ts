import { Injectable } from '@nestjs/common';
import { roundRatio } from '../common/format.js';
import { Clock } from '../common/clock.js';
import { EventLogRepository } from '../event-log/event-log.repository.js';
import { MeasuringService, type MeasuringReadiness } from '../measuring/measuring.service.js';
import { SchedulerService, type JobStatus } from '../scheduler/scheduler.service.js';
import type { MaintenanceState } from '../state/state.model.js';
import { StateDiskService, type StateDiskStatus } from '../event-log/state-disk.service.js';
import type { LogWriteStatus } from '../state/log-outage.js';
import { StateStore } from '../state/state.store.js';
import { worstTier, type Tier } from '../tiers/tier.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { DockerEngineWatch, type DockerStatus } from '../volumes/docker-engine-watch.service.js';
import { VolumeCatalog } from '../volumes/volume-catalog.js';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'unhealthy';
  version: string;
  started_at: string;
  uptime_seconds: number;
  problems: string[];
  database: {
    status: 'ok' | 'down';
    driver: string;
    events?: number;
    last_seq?: number;
    size_bytes?: number;
    error?: string;
    /** Whether writes go through; while they do not, what is spooled. */
    writes: LogWriteStatus;
  };
  /** The manager's own disk (SM_DATA_DIR) and its reserve. */
  state_disk: StateDiskStatus;
  scheduler: { running: boolean; jobs: JobStatus[] };
  measuring: ReturnType<MeasuringService['status']>;
  /** Targets measured, those first-scanned and watched, and since when all are: start-up (or an import) taken in. */
  measured: MeasuringReadiness;
  blocked: Array<{ target: string; reason: string; since: string }>;
  maintenance: MaintenanceState;
  docker: DockerStatus;
  volumes: Array<{ volume_name: string; status: 'available' | 'missing'; registrations: number; pending: number; quarantined: number }>;
  filesystems: Array<{
    mountpoint: string;
    fs_type: string;
    device: number;
    volumes: readonly string[];
    total_bytes: number;
    available_bytes: number;
    used_ratio: number;
    inode_ratio: number;
    tier: Tier;
    measured_at: string;
    /** Robust growth (bytes per hour) and hours until full; null until a few samples are in. */
    growth_bytes_per_hour: number | null;
    full_in_hours: number | null;
  }>;
  /** Targets out of the ok tier. */
  targets: Array<{ target: string; tier: Tier; since: string | null }>;
}

/**
 * Everything GET /api/health reports; `unhealthy` (answered 503) when the database cannot be reached or written, or
 * the manager's own disk is full; `degraded` while the Docker Engine is away.
 */
@Injectable()
export class HealthService {
  private readonly startedAt: Date;

  constructor(
    private readonly log: EventLogRepository,
    private readonly store: StateStore,
    private readonly scheduler: SchedulerService,
    private readonly catalog: VolumeCatalog,
    private readonly filesystemSampler: FilesystemSampler,
    private readonly clock: Clock,
    private readonly measuring: MeasuringService,
    private readonly docker: DockerEngineWatch,
    private readonly stateDisk: StateDiskService,
  ) {
    this.startedAt = clock.now();
  }

  async report(version: string): Promise<HealthReport> {
    const problems: string[] = [];
    const writes = this.store.writeStatus();
    const database: HealthReport['database'] = { status: 'ok', driver: this.log.driver, writes };
    try {
      const stats = await this.log.stats();
      Object.assign(database, { events: stats.events, last_seq: stats.lastSeq, size_bytes: stats.sizeBytes });
    } catch (error) {
      database.status = 'down';
      database.error = error instanceof Error ? error.message : String(error);
      problems.push('database unreachable');
    }
    if (writes.status !== 'ok') {
      problems.push(`the event log cannot be written since ${writes.since ?? '?'} (${writes.error ?? 'unknown error'}): ${writes.spooled} events spooled`);
    }
    const stateDisk = this.stateDisk.status();
    if (stateDisk.full) problems.push(this.stateDisk.fullMessage());

    // One pass over each, not one over the registrations per volume (a million comparisons at 1,000 of each).
    const registrations = Object.values(this.store.current.registrations);
    const available = new Set((await this.catalog.list()).map((v) => v.name));
    const counts = new Map<string, { registrations: number; pending: number; quarantined: number }>();
    for (const r of registrations) {
      let count = counts.get(r.volume_name);
      if (!count) counts.set(r.volume_name, (count = { registrations: 0, pending: 0, quarantined: 0 }));
      count.registrations++;
      if (r.status === 'pending') count.pending++;
      if (r.quarantine !== null) count.quarantined++;
    }
    const names = new Set([...available, ...counts.keys()]);
    const volumes = [...names].sort().map((name) => ({
      volume_name: name,
      status: available.has(name) ? ('available' as const) : ('missing' as const),
      ...(counts.get(name) ?? { registrations: 0, pending: 0, quarantined: 0 }),
    }));
    const pending = volumes.reduce((n, v) => n + v.pending, 0);
    const quarantined = volumes.reduce((n, v) => n + v.quarantined, 0);
    if (quarantined > 0) problems.push(`${quarantined} registration(s) quarantined`);
    const blockedTargets = Object.entries(this.store.current.targets).flatMap(([target, record]) =>
      record.blocked ? [{ target, reason: record.blocked.reason, since: record.blocked.since }] : [],
    );
    const blocked = blockedTargets.length;
    if (blocked > 0) problems.push(`${blocked} target(s) blocked over their cap`);
    if (pending > 0) problems.push(`${pending} registration(s) pending: volume missing`);

    const docker = this.docker.status();
    // Degraded, not unhealthy: every registration stays and measured targets keep being cleaned meanwhile.
    if (docker.status === 'down') problems.push(`Docker Engine unreachable since ${docker.since ?? '?'}: ${docker.last_error ?? 'no answer'}`);

    const measuring = this.measuring.status();
    const unreadable = measuring.filter((m) => m.scan_errors > 0);
    if (unreadable.length > 0) {
      problems.push(
        `${unreadable.map((m) => `${m.root}: ${m.scan_errors}`).join(', ')} entries could not be read at the last scan (permissions, or paths longer than the OS takes): not counted, never deleted`,
      );
    }

    // Never silently unwatched: directories the kernel refused a watch are named here, and swept meanwhile.
    for (const m of measuring) {
      if (m.watch.mode !== 'partial') continue;
      problems.push(
        `${m.root}: ${m.watch.directories_unwatched} of ${(m.watch.directories_watched ?? 0) + (m.watch.directories_unwatched ?? 0)} directories not watched (${m.watch.reason ?? 'the kernel refused a watch'}): swept every ${m.watch.sweep_seconds} s instead`,
      );
    }

    const filesystems = this.filesystems();
    const targets = Object.entries(this.store.current.targets)
      .filter(([, record]) => record.tier !== 'ok')
      .map(([target, record]) => ({ target, tier: record.tier, since: record.tier_since }));
    const criticalTargets = targets.filter((t) => t.tier === 'critical' || t.tier === 'emergency').length;
    if (criticalTargets > 0) problems.push(`${criticalTargets} target(s) in the critical tier`);
    const worst = filesystems.reduce<Tier>((tier, fs) => worstTier(tier, fs.tier), 'ok');
    if (worst === 'critical' || worst === 'emergency') problems.push(`a filesystem is in the ${worst} tier`);

    const unhealthy = database.status === 'down' || writes.status !== 'ok' || stateDisk.full;
    const status = unhealthy ? 'unhealthy' : problems.length > 0 ? 'degraded' : 'ok';
    const now = this.clock.now();
    return {
      status,
      version,
      started_at: this.startedAt.toISOString(),
      uptime_seconds: Math.round((now.getTime() - this.startedAt.getTime()) / 1000),
      problems,
      database,
      state_disk: stateDisk,
      scheduler: { running: this.scheduler.isRunning, jobs: this.scheduler.status() },
      measuring,
      measured: this.measuring.readiness(),
      blocked: blockedTargets,
      maintenance: this.store.current.maintenance,
      docker,
      volumes,
      filesystems,
      targets,
    };
  }

  /** The filesystems behind the volumes and the data directory, as last measured (no statfs on the request path). */
  private filesystems(): HealthReport['filesystems'] {
    return this.filesystemSampler.all().map((reading) => ({
      mountpoint: reading.mountPoint,
      fs_type: reading.fsType,
      device: reading.device,
      volumes: reading.volumes,
      total_bytes: reading.usage.totalBytes,
      available_bytes: reading.usage.availableBytes,
      used_ratio: roundRatio(reading.bytesRatio),
      inode_ratio: roundRatio(reading.inodeRatio),
      tier: reading.tier,
      measured_at: reading.measuredAt.toISOString(),
      growth_bytes_per_hour: reading.forecast.bytesPerSecond === null ? null : Math.round(reading.forecast.bytesPerSecond * 3600),
      full_in_hours: reading.forecast.secondsUntilFull === null ? null : Math.round((reading.forecast.secondsUntilFull / 3600) * 10) / 10,
    }));
  }
}
