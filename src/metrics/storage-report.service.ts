import { Injectable } from '@nestjs/common';
import { formatBytes } from '../common/format.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { targetKey, targetRecord } from '../state/state.model.js';
import { StateStore } from '../state/state.store.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { worstTier, type Tier } from '../tiers/tier.js';

export interface StorageReport {
  /** The worst tier of any filesystem or target. */
  readonly status: Tier;
  /** One sentence per filesystem and per target that is not ok, worst first; "All storage is ok." otherwise. */
  readonly summary: readonly string[];
  readonly filesystems: ReadonlyArray<{ mountpoint: string; volumes: readonly string[]; tier: Tier; text: string }>;
  readonly targets: ReadonlyArray<{ target: string; tier: Tier; text: string }>;
}

/** GET /metrics/storage: the same figures as the metrics, in sentences a person can act on. */
@Injectable()
export class StorageReportService {
  constructor(
    private readonly filesystems: FilesystemSampler,
    private readonly store: StateStore,
    private readonly measuring: MeasuringService,
  ) {}

  report(): StorageReport {
    const filesystems = this.filesystems.all().map((r) => {
      const used = pct(Math.max(r.bytesRatio, r.inodeRatio));
      const inodes = r.inodeRatio > r.bytesRatio ? ` (inodes ${pct(r.inodeRatio)} used)` : '';
      const forecast =
        r.forecast.secondsUntilFull !== null
          ? `, growing ${formatBytes(r.forecast.bytesPerSecond! * 3600)}/h: full in ${formatDuration(r.forecast.secondsUntilFull)}`
          : r.forecast.bytesPerSecond === null ? '' : ', not growing';
      const text = `${r.mountPoint} (${r.volumes.join(', ')}): ${used} used${inodes}, ${formatBytes(r.usage.availableBytes)} free of ${formatBytes(r.usage.totalBytes)}, ${r.tier}${forecast}`;
      return { mountpoint: r.mountPoint, volumes: r.volumes, tier: r.tier, text };
    });
    const targets = Object.values(this.store.current.registrations)
      .sort((a, b) => a.volume_name.localeCompare(b.volume_name) || a.path.localeCompare(b.path))
      .map((r) => {
        const key = targetKey(r.volume_name, r.path);
        const record = targetRecord(this.store.current, key);
        const tally = this.measuring.tally(r.id);
        const size = tally ? `${formatBytes(tally.bytes)} in ${tally.files.toLocaleString('en')} files` : r.status === 'pending' ? 'volume missing' : 'not measured yet';
        const cap = r.algorithm === 'max_size' ? `, cap ${formatBytes(Number(r.params.max_bytes))}` : r.algorithm === 'keep_n_latest' ? `, keeps ${String(r.params.keep_count)} files` : '';
        const state = r.quarantine ? `, quarantined (${r.quarantine.reason})` : record.blocked ? `, blocked (${record.blocked.reason})` : '';
        const cleaned = record.last_cleanup ? `, last cleaned ${record.last_cleanup.at} (${record.last_cleanup.files_removed} files)` : '';
        return { target: key, tier: record.tier, text: `${key}: ${size}${cap}, ${record.tier}${state}${cleaned}` };
      });
    const all = [...filesystems, ...targets];
    const status = all.reduce<Tier>((worst, item) => worstTier(worst, item.tier), 'ok');
    const order: Record<Tier, number> = { emergency: 0, critical: 1, warning: 2, ok: 3 };
    const attention = all.filter((item) => item.tier !== 'ok').sort((a, b) => order[a.tier] - order[b.tier]);
    return { status, summary: attention.length > 0 ? attention.map((item) => item.text) : ['All storage is ok.'], filesystems, targets };
  }
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function formatDuration(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
