import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { Clock, isoSeconds } from '../common/clock.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { targetKey, targetRecord, type Registration } from '../state/state.model.js';
import { StateStore } from '../state/state.store.js';
import type { Tier } from '../tiers/tier.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { VolumeCatalog, type VolumeInfo } from './volume-catalog.js';
import { VolumeUsageService } from './volume-usage.service.js';

export interface VolumeRegistrationView {
  id: string;
  path: string;
  algorithm: string;
  params: Readonly<Record<string, unknown>>;
  description: string | null;
  status: Registration['status'];
  path_bytes: number | null;
  /** Where path_bytes comes from: the target's live index, or a background walk (null: not measured yet). */
  path_bytes_source: UsageSource | null;
  /** When path_bytes was measured (now for the live index). */
  path_bytes_measured_at: string | null;
  /** The target's own tier (warning_bytes/critical_bytes, blocked, quarantined). */
  tier: Tier;
  last_cleaned: string | null;
  files_removed_last_run: number | null;
}

export type UsageSource = 'index' | 'scan' | 'engine';

export interface VolumeView {
  volume_name: string;
  current_bytes: number | null;
  /** Where current_bytes comes from: the index of a target covering the whole volume, the Docker Engine's disk-usage report, or a background walk. */
  current_bytes_source: UsageSource | null;
  /** When current_bytes was measured (null: not measured yet; a background walk is under way). */
  current_bytes_measured_at: string | null;
  containers: readonly string[];
  driver: string;
  created_at: string | null;
  registrations: VolumeRegistrationView[];
  tier: Tier;
  /** `unknown`: named by registrations, not listed, and its Docker Engine cannot be asked now. */
  status: 'available' | 'missing' | 'unknown';
  source: VolumeInfo['source'] | null;
  /** Where its data is, as this process sees it (SM_HOST_ROOT prefixed). */
  mountpoint: string | null;
  labels: Readonly<Record<string, string>>;
  /** False: listed only (another driver, no local mountpoint), never measured or cleaned. */
  manageable: boolean;
  unmanageable_reason: string | null;
}

export interface VolumeQuery {
  name?: string;
  registered?: boolean;
  sort: 'volume_name' | 'current_bytes' | 'created_at';
}

/**
 * The volume list of GET /api/volumes: every known volume, enriched with usage and registrations. Sizes come
 * from the index where a target covers the tree and otherwise from the background walks of VolumeUsageService:
 * a request never walks a tree.
 */
@Injectable()
export class VolumesService {
  constructor(
    private readonly catalog: VolumeCatalog,
    private readonly store: StateStore,
    private readonly usage: VolumeUsageService,
    private readonly filesystems: FilesystemSampler,
    private readonly measuring: MeasuringService,
    private readonly clock: Clock,
  ) {}

  async list(query: VolumeQuery): Promise<VolumeView[]> {
    const byVolume = new Map<string, Registration[]>();
    for (const registration of Object.values(this.store.current.registrations)) {
      const list = byVolume.get(registration.volume_name) ?? [];
      list.push(registration);
      byVolume.set(registration.volume_name, list);
    }
    const available = await this.catalog.list();
    const names = new Set(available.map((v) => v.name));
    const now = isoSeconds(this.clock.now());
    const views: VolumeView[] = available.map((volume) => this.view(volume, byVolume.get(volume.name) ?? [], now));
    // Volumes that registrations name but that do not exist (yet): shown so that pending targets are visible.
    for (const [name, registrations] of byVolume) {
      if (!names.has(name)) views.push(this.missingView(name, registrations, (await this.catalog.lookup(name, { ask: false })).state === 'unknown'));
    }
    const needle = query.name?.toLowerCase();
    const filtered = views.filter(
      (v) =>
        (needle === undefined || v.volume_name.toLowerCase().includes(needle)) &&
        (query.registered === undefined || query.registered === v.registrations.length > 0),
    );
    return filtered.sort(comparator(query.sort));
  }

  private view(volume: VolumeInfo, registrations: Registration[], now: string): VolumeView {
    const whole = registrations.find((r) => r.path === '/' && this.measuring.tally(r.id) !== undefined);
    const usage = this.volumeUsage(volume, whole?.id, now);
    const tier = this.filesystems.ofVolume(volume.name)?.tier ?? 'ok';
    return {
      volume_name: volume.name,
      current_bytes: usage.bytes,
      current_bytes_source: usage.source,
      current_bytes_measured_at: usage.measuredAt,
      containers: volume.containers,
      driver: volume.driver,
      created_at: volume.createdAt ? isoSeconds(volume.createdAt) : null,
      registrations: sortByPath(registrations).map((r) =>
        this.registrationView(r, volume.manageable ? this.usageOf(path.join(volume.root, r.path), r.id, now) : NOT_MEASURED),
      ),
      tier,
      status: 'available',
      source: volume.source,
      mountpoint: volume.root === '' ? null : volume.root,
      labels: volume.labels,
      manageable: volume.manageable,
      unmanageable_reason: volume.unmanageableReason ?? null,
    };
  }

  /**
   * A volume's size: its `/` target's live index; else the Docker Engine's disk-usage report (read in the
   * background); else the last background walk. A volume without local data is never walked.
   */
  private volumeUsage(volume: VolumeInfo, wholeTargetId: string | undefined, now: string): Usage {
    const tally = wholeTargetId === undefined ? undefined : this.measuring.tally(wholeTargetId);
    if (tally) return { bytes: tally.bytes, source: 'index', measuredAt: now };
    if (volume.engineUsage) return { bytes: volume.engineUsage.bytes, source: 'engine', measuredAt: isoSeconds(volume.engineUsage.measuredAt) };
    return volume.manageable ? this.usageOf(volume.root, undefined, now) : NOT_MEASURED;
  }

  /** A tree's size without touching the disk: the target's live tally, else the last background walk. */
  private usageOf(tree: string, targetId: string | undefined, now: string): Usage {
    const tally = targetId === undefined ? undefined : this.measuring.tally(targetId);
    if (tally) return { bytes: tally.bytes, source: 'index', measuredAt: now };
    const measured = this.usage.known(tree);
    if (measured) return { bytes: measured.bytes, source: 'scan', measuredAt: isoSeconds(measured.measuredAt) };
    return { bytes: null, source: null, measuredAt: null };
  }

  private missingView(name: string, registrations: Registration[], unknown: boolean): VolumeView {
    return {
      volume_name: name,
      current_bytes: null,
      current_bytes_source: null,
      current_bytes_measured_at: null,
      containers: [],
      driver: 'local',
      created_at: null,
      registrations: sortByPath(registrations).map((r) => this.registrationView(r, NOT_MEASURED)),
      tier: 'ok',
      status: unknown ? 'unknown' : 'missing',
      source: null,
      mountpoint: null,
      labels: {},
      manageable: true,
      unmanageable_reason: null,
    };
  }

  private registrationView(registration: Registration, usage: Usage): VolumeRegistrationView {
    const record = targetRecord(this.store.current, targetKey(registration.volume_name, registration.path));
    const last = record.last_cleanup;
    return {
      id: registration.id,
      path: registration.path,
      algorithm: registration.algorithm,
      params: registration.params,
      description: registration.description,
      status: registration.status,
      path_bytes: usage.bytes,
      path_bytes_source: usage.source,
      path_bytes_measured_at: usage.measuredAt,
      tier: record.tier,
      last_cleaned: last ? isoSeconds(new Date(last.at)) : null,
      files_removed_last_run: last ? last.files_removed : null,
    };
  }
}

interface Usage {
  readonly bytes: number | null;
  readonly source: UsageSource | null;
  readonly measuredAt: string | null;
}

const NOT_MEASURED: Usage = { bytes: null, source: null, measuredAt: null };

/** Plain code-point order: the same on every host (no locale), and far cheaper than localeCompare on 1,000 paths. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortByPath(registrations: Registration[]): Registration[] {
  return [...registrations].sort((a, b) => byCodePoint(a.path, b.path));
}

function comparator(sort: VolumeQuery['sort']): (a: VolumeView, b: VolumeView) => number {
  const byName = (a: VolumeView, b: VolumeView): number => byCodePoint(a.volume_name, b.volume_name);
  if (sort === 'current_bytes') return (a, b) => (b.current_bytes ?? -1) - (a.current_bytes ?? -1) || byName(a, b);
  if (sort === 'created_at') return (a, b) => byCodePoint(a.created_at ?? '\uffff', b.created_at ?? '\uffff') || byName(a, b);
  return byName;
}
