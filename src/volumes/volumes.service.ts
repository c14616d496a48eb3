import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { isoSeconds } from '../common/clock.js';
import { UsageService } from '../measuring/usage.service.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { targetKey, targetRecord, type Registration } from '../state/state.model.js';
import { StateStore } from '../state/state.store.js';
import type { Tier } from '../tiers/tier.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { VolumeCatalog, type VolumeInfo } from './volume-catalog.js';

export interface VolumeRegistrationView {
  id: string;
  path: string;
  algorithm: string;
  params: Readonly<Record<string, unknown>>;
  description: string | null;
  status: Registration['status'];
  path_bytes: number | null;
  /** The target's own tier (warning_bytes/critical_bytes, blocked, quarantined). */
  tier: Tier;
  last_cleaned: string | null;
  files_removed_last_run: number | null;
}

export interface VolumeView {
  volume_name: string;
  current_bytes: number | null;
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

/** The volume list of GET /api/volumes: every known volume, enriched with usage and registrations. */
@Injectable()
export class VolumesService {
  constructor(
    private readonly catalog: VolumeCatalog,
    private readonly store: StateStore,
    private readonly usage: UsageService,
    private readonly filesystems: FilesystemSampler,
    private readonly measuring: MeasuringService,
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
    const views: VolumeView[] = await Promise.all(available.map((volume) => this.view(volume, byVolume.get(volume.name) ?? [])));
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

  private async view(volume: VolumeInfo, registrations: Registration[]): Promise<VolumeView> {
    // A volume without local data is never walked; a Docker volume's size comes from the Engine's cached report.
    const walk = volume.manageable && !volume.engineUsage;
    const [usage, registrationViews] = await Promise.all([
      walk ? this.usage.usageOf(volume.root) : { bytes: volume.engineUsage?.bytes ?? null },
      Promise.all(
        sortByPath(registrations).map(async (r) =>
          this.registrationView(
            r,
            this.measuring.tally(r.id)?.bytes ?? (volume.manageable ? (await this.usage.usageOf(path.join(volume.root, r.path))).bytes : null),
          ),
        ),
      ),
    ]);
    const tier = this.filesystems.ofVolume(volume.name)?.tier ?? 'ok';
    return {
      volume_name: volume.name,
      current_bytes: usage.bytes,
      containers: volume.containers,
      driver: volume.driver,
      created_at: volume.createdAt ? isoSeconds(volume.createdAt) : null,
      registrations: registrationViews,
      tier,
      status: 'available',
      source: volume.source,
      mountpoint: volume.root === '' ? null : volume.root,
      labels: volume.labels,
      manageable: volume.manageable,
      unmanageable_reason: volume.unmanageableReason ?? null,
    };
  }

  private missingView(name: string, registrations: Registration[], unknown: boolean): VolumeView {
    return {
      volume_name: name,
      current_bytes: null,
      containers: [],
      driver: 'local',
      created_at: null,
      registrations: sortByPath(registrations).map((r) => this.registrationView(r, null)),
      tier: 'ok',
      status: unknown ? 'unknown' : 'missing',
      source: null,
      mountpoint: null,
      labels: {},
      manageable: true,
      unmanageable_reason: null,
    };
  }

  private registrationView(registration: Registration, pathBytes: number | null): VolumeRegistrationView {
    const record = targetRecord(this.store.current, targetKey(registration.volume_name, registration.path));
    const last = record.last_cleanup;
    return {
      id: registration.id,
      path: registration.path,
      algorithm: registration.algorithm,
      params: registration.params,
      description: registration.description,
      status: registration.status,
      path_bytes: pathBytes,
      tier: record.tier,
      last_cleaned: last ? isoSeconds(new Date(last.at)) : null,
      files_removed_last_run: last ? last.files_removed : null,
    };
  }
}

function sortByPath(registrations: Registration[]): Registration[] {
  return [...registrations].sort((a, b) => a.path.localeCompare(b.path));
}

function comparator(sort: VolumeQuery['sort']): (a: VolumeView, b: VolumeView) => number {
  const byName = (a: VolumeView, b: VolumeView): number => a.volume_name.localeCompare(b.volume_name);
  if (sort === 'current_bytes') return (a, b) => (b.current_bytes ?? -1) - (a.current_bytes ?? -1) || byName(a, b);
  if (sort === 'created_at') return (a, b) => (a.created_at ?? '\uffff').localeCompare(b.created_at ?? '\uffff') || byName(a, b);
  return byName;
}
