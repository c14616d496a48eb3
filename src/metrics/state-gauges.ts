import { Clock } from '../common/clock.js';
import type { TimeSlices } from '../common/time-slices.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import type { TargetMonitor } from '../measuring/target-monitor.js';
import { targetKey, targetRecord, type Registration } from '../state/state.model.js';
import { StateStore } from '../state/state.store.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { TargetTiers } from '../tiers/target-tiers.service.js';
import { ExpositionWriter, family, labelText } from './exposition.js';
import { METRIC, TIER_VALUE } from './metric-names.js';

type Reading = ReturnType<FilesystemSampler['all']>[number];
type Spec = (typeof METRIC)[keyof typeof METRIC];

/**
 * The per-target and per-filesystem gauges, read from the current state at scrape time and written straight
 * into the exposition (see exposition.ts for why not through prom-client). A scrape never walks a tree nor
 * stats a filesystem: figures come from the index, the projection and the last filesystem sample.
 */
export class StateGauges {
  /** Label text per registration, made once per (id, volume, path). */
  private readonly targetLabels = new Map<string, { key: string; text: string }>();
  private readonly filesystemLabels = new Map<string, string>();
  /** Families that show only the projection, rendered once per state version. */
  private projection: { version: number; text: string } | undefined;
  /** Watcher events and errors per registration, summed over every monitor it had (a counter never goes back). */
  private readonly watcher = new Map<string, { events: number; errors: number; monitor: object | undefined; seenEvents: number; seenErrors: number }>();

  constructor(
    private readonly store: StateStore,
    private readonly measuring: MeasuringService,
    private readonly filesystems: FilesystemSampler,
    private readonly targetTiers: TargetTiers,
    private readonly clock: Clock,
  ) {}

  /**
   * Every family into `out`, one at a time, with the event loop let in between whenever `slices` says the
   * slice is used up (a family of 1,000 targets costs ~0.3 ms). The families may then be a few ms apart; each
   * one is consistent in itself.
   */
  async write(out: ExpositionWriter, slices: TimeSlices): Promise<void> {
    await this.writeTargets(out, slices);
    await this.writeFilesystems(out, slices);
  }

  private async writeTargets(out: ExpositionWriter, slices: TimeSlices): Promise<void> {
    const registrations = Object.values(this.store.current.registrations);
    const rows = registrations.map((r) => ({ r, labels: this.labelsOf(r), monitor: this.measuring.monitor(r.id) }));
    const each = async (spec: Spec, value: (row: (typeof rows)[number]) => number | null): Promise<void> => {
      out.gauge(spec, (sample) => {
        for (const row of rows) sample(row.labels, value(row));
      });
      await slices.maybePause();
    };
    await each(METRIC.targetBytes, ({ monitor }) => monitor?.tally.bytes ?? null);
    await each(METRIC.targetDiskBytes, ({ monitor }) => monitor?.tally.diskBytes ?? null);
    await each(METRIC.targetFiles, ({ monitor }) => monitor?.tally.files ?? null);
    out.append(this.projectionFamilies(rows));
    await slices.maybePause();
    const now = this.clock.now().getTime();
    await each(METRIC.targetOldestFileAge, ({ monitor }) => {
      const range = monitor?.files.mtimeRange();
      return range ? Math.max(0, (now - range.oldest) / 1000) : null;
    });
    // 0 until there is enough history (panels and rules see a value, never a gap).
    await each(METRIC.targetGrowth, ({ r }) => this.targetTiers.growthOf(r.id) ?? 0);
    await each(METRIC.targetWatching, ({ monitor }) => (monitor ? (monitor.stats.watching ? 1 : 0) : null));
    await each(METRIC.targetUnwatchedDirectories, ({ monitor }) => (monitor ? (monitor.stats.coverage?.directoriesUnwatched ?? 0) : null));
    this.writeWatcherCounters(out, rows);
    await slices.maybePause();
    if (this.targetLabels.size > registrations.length) this.forgetRemoved(registrations);
  }

  /** Limits, tiers, blocked, quarantined: they change only with an event, so they are rendered once per version. */
  private projectionFamilies(rows: ReadonlyArray<{ r: Registration; labels: string }>): string {
    const version = this.store.version;
    if (this.projection?.version === version) return this.projection.text;
    const state = this.store.current;
    const records = rows.map((row) => ({ ...row, record: targetRecord(state, targetKey(row.r.volume_name, row.r.path)) }));
    const each = (spec: Spec, value: (row: (typeof records)[number]) => number | null) =>
      family(spec, 'gauge', (sample) => {
        for (const row of records) sample(row.labels, value(row));
      });
    const text =
      each(METRIC.targetLimitBytes, ({ r }) => (r.algorithm === 'max_size' && typeof r.params.max_bytes === 'number' ? r.params.max_bytes : null)) +
      each(METRIC.targetLimitFiles, ({ r }) => (r.algorithm === 'keep_n_latest' && typeof r.params.keep_count === 'number' ? r.params.keep_count : null)) +
      each(METRIC.targetTier, ({ record }) => TIER_VALUE[record.tier]) +
      each(METRIC.targetBlocked, ({ record }) => (record.blocked ? 1 : 0)) +
      each(METRIC.targetQuarantined, ({ r }) => (r.quarantine ? 1 : 0));
    this.projection = { version, text };
    return text;
  }

  /** Each monitor counts from 0; the counters add what it counted since the last scrape, across re-created monitors. */
  private writeWatcherCounters(out: ExpositionWriter, rows: ReadonlyArray<{ r: Registration; labels: string; monitor: TargetMonitor | undefined }>): void {
    const totals = rows.map(({ r, labels, monitor }) => {
      let total = this.watcher.get(r.id);
      if (!total) {
        total = { events: 0, errors: 0, monitor: undefined, seenEvents: 0, seenErrors: 0 };
        this.watcher.set(r.id, total);
      }
      if (monitor) {
        if (total.monitor !== monitor) Object.assign(total, { monitor, seenEvents: 0, seenErrors: 0 });
        const { eventsApplied, watchErrors } = monitor.stats;
        total.events += Math.max(0, eventsApplied - total.seenEvents);
        total.errors += Math.max(0, watchErrors - total.seenErrors);
        total.seenEvents = eventsApplied;
        total.seenErrors = watchErrors;
      }
      return { labels, total };
    });
    out.counter(METRIC.watcherEvents, (sample) => {
      for (const { labels, total } of totals) sample(labels, total.events);
    });
    out.counter(METRIC.watcherErrors, (sample) => {
      for (const { labels, total } of totals) sample(labels, total.errors);
    });
  }

  private async writeFilesystems(out: ExpositionWriter, slices: TimeSlices): Promise<void> {
    const readings = this.filesystems.all().map((reading) => ({ reading, labels: this.filesystemLabelsOf(reading) }));
    const each = (spec: Spec, value: (r: Reading) => number | null) =>
      out.gauge(spec, (sample) => {
        for (const { reading, labels } of readings) sample(labels, value(reading));
      });
    each(METRIC.filesystemSize, (r) => r.usage.totalBytes);
    each(METRIC.filesystemAvailable, (r) => r.usage.availableBytes);
    each(METRIC.filesystemUsedRatio, (r) => r.bytesRatio);
    each(METRIC.filesystemInodeRatio, (r) => r.inodeRatio);
    each(METRIC.filesystemTier, (r) => TIER_VALUE[r.tier]);
    each(METRIC.filesystemGrowth, (r) => r.forecast.bytesPerSecond ?? 0);
    // +Inf while not growing (or not enough history yet): alert rules and panels see a value, never a gap.
    each(METRIC.filesystemUntilFull, (r) => r.forecast.secondsUntilFull ?? Number.POSITIVE_INFINITY);
    await slices.maybePause();
  }

  private labelsOf(r: Registration): string {
    const key = `${r.volume_name}\0${r.path}`;
    const cached = this.targetLabels.get(r.id);
    if (cached?.key === key) return cached.text;
    const text = labelText({ volume: r.volume_name, path: r.path });
    this.targetLabels.set(r.id, { key, text });
    return text;
  }

  private filesystemLabelsOf(reading: Reading): string {
    const key = `${reading.mountPoint}\0${reading.fsType}`;
    let text = this.filesystemLabels.get(key);
    if (text === undefined) {
      text = labelText({ mountpoint: reading.mountPoint, fstype: reading.fsType });
      this.filesystemLabels.set(key, text);
    }
    return text;
  }

  private forgetRemoved(registrations: readonly Registration[]): void {
    const ids = new Set(registrations.map((r) => r.id));
    for (const id of this.targetLabels.keys()) if (!ids.has(id)) this.targetLabels.delete(id);
    for (const id of this.watcher.keys()) if (!ids.has(id)) this.watcher.delete(id);
  }
}
