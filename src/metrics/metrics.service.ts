import { Injectable, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AlertDeliveryService } from '../alerts/alert-delivery.service.js';
import { TRIGGERS } from '../cleanup/cleanup-report.js';
import { CLEANUP_RAN } from '../cleanup/cleanup.topics.js';
import { overCap } from '../cleanup/trigger.service.js';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { EventLogRepository } from '../event-log/event-log.repository.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { TALLY_CHANGED } from '../measuring/measuring.topics.js';
import { targetRecord } from '../state/state.model.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { TargetTiers } from '../tiers/target-tiers.service.js';
import { DockerEngineWatch } from '../volumes/docker-engine-watch.service.js';
import { METRIC, TIER_VALUE } from './metric-names.js';

type Spec = (typeof METRIC)[keyof typeof METRIC];
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The Prometheus registry. Counters and histograms follow what happens (cleanups, drift, tier changes, from the
 * bus); gauges read the current state when scraped, so a scrape never walks a tree nor stats a filesystem.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly counters = new Map<Spec, Counter>();
  private readonly histograms = new Map<Spec, Histogram>();
  /** Capped targets seen over their cap, since when (performance.now()). */
  private readonly overCapSince = new Map<string, number>();
  /** Watcher figures already counted, per monitor (a re-created monitor counts from 0 again). */
  private readonly watcherSeen = new WeakMap<object, { events: number; errors: number }>();
  private eventLog: { events: number; sizeBytes: number } | undefined;
  private rendering: Promise<string> | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly measuring: MeasuringService,
    private readonly filesystems: FilesystemSampler,
    private readonly targetTiers: TargetTiers,
    private readonly log: EventLogRepository,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly delivery: AlertDeliveryService,
    private readonly docker: DockerEngineWatch,
  ) {
    collectDefaultMetrics({ register: this.registry });
    for (const spec of [METRIC.alertsRaised, METRIC.alertsSuppressed, METRIC.alertDeliveries, METRIC.cleanupRuns, METRIC.cleanupDeletedFiles, METRIC.cleanupFreedBytes, METRIC.tallyDriftBytes, METRIC.tallyDriftFiles, METRIC.tierChanges, METRIC.watcherEvents, METRIC.watcherErrors]) {
      this.counters.set(spec, new Counter({ name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [this.registry] }));
    }
    for (const spec of [METRIC.cleanupDuration, METRIC.reactionLatency]) {
      this.histograms.set(spec, new Histogram({ name: spec.name, help: spec.help, labelNames: [...spec.labels], buckets: LATENCY_BUCKETS, registers: [this.registry] }));
    }
    // Every label combination known in advance starts at 0, so rate() and increase() see the first event too.
    for (const trigger of TRIGGERS) {
      for (const result of ['done', 'dry_run', 'skipped', 'failed']) this.counter(METRIC.cleanupRuns).inc({ trigger, result }, 0);
      this.counter(METRIC.cleanupDeletedFiles).inc({ trigger }, 0);
      this.counter(METRIC.cleanupFreedBytes).inc({ trigger }, 0);
    }
    for (const channel of this.delivery.channelNames) {
      for (const result of ['delivered', 'failed']) this.counter(METRIC.alertDeliveries).inc({ channel, result }, 0);
    }
    for (const trigger of TRIGGERS) this.histogram(METRIC.cleanupDuration).zero({ trigger });
    this.targetGauges();
    this.filesystemGauges();
    this.serviceGauges();
  }

  onModuleInit(): void {
    this.bus.on(TALLY_CHANGED, ({ registration, monitor }) => {
      if (!this.overCapSince.has(registration.id) && !registration.quarantine && overCap(registration, monitor.tally)) {
        this.overCapSince.set(registration.id, performance.now());
      }
    });
    this.bus.on(CLEANUP_RAN, ({ registration, report }) => {
      const result = report.status === 'done' && report.dry_run ? 'dry_run' : report.status;
      this.counter(METRIC.cleanupRuns).inc({ trigger: report.trigger, result });
      if (report.status === 'done' && !report.dry_run && report.files > 0) {
        this.counter(METRIC.cleanupDeletedFiles).inc({ trigger: report.trigger }, report.files);
        this.counter(METRIC.cleanupFreedBytes).inc({ trigger: report.trigger }, report.bytes);
        this.histogram(METRIC.cleanupDuration).observe({ trigger: report.trigger }, report.duration_ms / 1000);
      }
      const since = this.overCapSince.get(registration.id);
      if (since === undefined) return;
      const tally = this.measuring.tally(registration.id);
      if (report.blocked || report.dry_run) this.overCapSince.delete(registration.id);
      else if (tally && !overCap(registration, tally)) {
        this.histogram(METRIC.reactionLatency).observe((performance.now() - since) / 1000);
        this.overCapSince.delete(registration.id);
      }
    });
    this.bus.on(EVENTS_COMMITTED, (events) => {
      for (const event of events) {
        if (event.type === 'usage.drift') {
          this.counter(METRIC.tallyDriftBytes).inc(Math.abs(event.payload.bytes));
          this.counter(METRIC.tallyDriftFiles).inc(Math.abs(event.payload.files));
        } else if (event.type === 'filesystem.tier_changed' || event.type === 'target.tier_changed') {
          this.counter(METRIC.tierChanges).inc({ scope: event.type === 'filesystem.tier_changed' ? 'filesystem' : 'target', tier: event.payload.to });
        } else if (event.type === 'alert.raised' || event.type === 'alert.resolved') {
          const { alert } = event.payload;
          this.counter(METRIC.alertsRaised).inc({ kind: alert.kind, tier: alert.tier, status: alert.status });
        } else if (event.type === 'alert.suppressed') {
          this.counter(METRIC.alertsSuppressed).inc({ kind: event.payload.kind });
        } else if (event.type === 'alert.delivered') {
          this.counter(METRIC.alertDeliveries).inc({ channel: event.payload.channel, result: 'delivered' });
        } else if (event.type === 'alert.delivery_failed') {
          this.counter(METRIC.alertDeliveries).inc({ channel: event.payload.channel, result: 'failed' });
        } else if (event.type === 'registration.removed') {
          this.overCapSince.delete(event.payload.id);
        }
      }
    });
  }

  /**
   * The exposition text. Figures that need a call (the database) are fetched once, before the gauges read them.
   * Scrapes that arrive while one is being rendered share it (the text is as fresh as the render they join).
   */
  render(): Promise<string> {
    this.rendering ??= (async () => {
      try {
        await this.refresh();
        return await this.registry.metrics();
      } finally {
        this.rendering = undefined;
      }
    })();
    return this.rendering;
  }

  private async refresh(): Promise<void> {
    // Watcher counters advance by what each monitor counted since the last scrape.
    for (const r of Object.values(this.store.current.registrations)) {
      const monitor = this.measuring.monitor(r.id);
      if (!monitor) continue;
      const stats = monitor.stats;
      const seen = this.watcherSeen.get(monitor) ?? { events: 0, errors: 0 };
      const labels = { volume: r.volume_name, path: r.path };
      if (stats.eventsApplied > seen.events) this.counter(METRIC.watcherEvents).inc(labels, stats.eventsApplied - seen.events);
      if (stats.watchErrors > seen.errors) this.counter(METRIC.watcherErrors).inc(labels, stats.watchErrors - seen.errors);
      this.watcherSeen.set(monitor, { events: stats.eventsApplied, errors: stats.watchErrors });
    }
    try {
      this.eventLog = await this.log.stats();
    } catch {
      this.eventLog = undefined;
    }
  }

  private counter(spec: Spec): Counter {
    return this.counters.get(spec)!;
  }

  private histogram(spec: Spec): Histogram {
    return this.histograms.get(spec)!;
  }

  private gauge(spec: Spec, collect: (gauge: Gauge) => void | Promise<void>): void {
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: [...spec.labels],
      registers: [this.registry],
      async collect() {
        this.reset();
        await collect(this);
      },
    });
  }

  private targetGauges(): void {
    const eachTarget = (fn: (gauge: Gauge, labels: { volume: string; path: string }, id: string) => void) => (gauge: Gauge) => {
      for (const r of Object.values(this.store.current.registrations)) fn(gauge, { volume: r.volume_name, path: r.path }, r.id);
    };
    const tally = (id: string) => this.measuring.tally(id);
    this.gauge(METRIC.targetBytes, eachTarget((g, l, id) => { const t = tally(id); if (t) g.set(l, t.bytes); }));
    this.gauge(METRIC.targetDiskBytes, eachTarget((g, l, id) => { const t = tally(id); if (t) g.set(l, t.diskBytes); }));
    this.gauge(METRIC.targetFiles, eachTarget((g, l, id) => { const t = tally(id); if (t) g.set(l, t.files); }));
    this.gauge(METRIC.targetLimitBytes, (g) => {
      for (const r of Object.values(this.store.current.registrations)) {
        if (r.algorithm === 'max_size' && typeof r.params.max_bytes === 'number') g.set({ volume: r.volume_name, path: r.path }, r.params.max_bytes);
      }
    });
    this.gauge(METRIC.targetLimitFiles, (g) => {
      for (const r of Object.values(this.store.current.registrations)) {
        if (r.algorithm === 'keep_n_latest' && typeof r.params.keep_count === 'number') g.set({ volume: r.volume_name, path: r.path }, r.params.keep_count);
      }
    });
    const record = (volume: string, path: string) => targetRecord(this.store.current, `${volume}:${path}`);
    this.gauge(METRIC.targetTier, eachTarget((g, l) => g.set(l, TIER_VALUE[record(l.volume, l.path).tier])));
    this.gauge(METRIC.targetBlocked, eachTarget((g, l) => g.set(l, record(l.volume, l.path).blocked ? 1 : 0)));
    this.gauge(METRIC.targetQuarantined, (g) => {
      for (const r of Object.values(this.store.current.registrations)) g.set({ volume: r.volume_name, path: r.path }, r.quarantine ? 1 : 0);
    });
    // O(files) per target: the index keeps no order by mtime yet; cheap next to a scrape interval.
    this.gauge(METRIC.targetOldestFileAge, eachTarget((g, l, id) => {
      const range = this.measuring.monitor(id)?.files.mtimeRange();
      if (range) g.set(l, Math.max(0, (this.clock.now().getTime() - range.oldest) / 1000));
    }));
    this.gauge(METRIC.targetGrowth, eachTarget((g, l, id) => {
      // 0 until there is enough history (panels and rules see a value, never a gap).
      g.set(l, this.targetTiers.growthOf(id) ?? 0);
    }));
    this.gauge(METRIC.targetWatching, eachTarget((g, l, id) => {
      const monitor = this.measuring.monitor(id);
      if (monitor) g.set(l, monitor.stats.watching ? 1 : 0);
    }));
  }

  private filesystemGauges(): void {
    const each = (value: (r: ReturnType<FilesystemSampler['all']>[number]) => number | null) => (g: Gauge) => {
      for (const reading of this.filesystems.all()) {
        const v = value(reading);
        if (v !== null) g.set({ mountpoint: reading.mountPoint, fstype: reading.fsType }, v);
      }
    };
    this.gauge(METRIC.filesystemSize, each((r) => r.usage.totalBytes));
    this.gauge(METRIC.filesystemAvailable, each((r) => r.usage.availableBytes));
    this.gauge(METRIC.filesystemUsedRatio, each((r) => r.bytesRatio));
    this.gauge(METRIC.filesystemInodeRatio, each((r) => r.inodeRatio));
    this.gauge(METRIC.filesystemTier, each((r) => TIER_VALUE[r.tier]));
    this.gauge(METRIC.filesystemGrowth, each((r) => r.forecast.bytesPerSecond ?? 0));
    // +Inf while not growing (or not enough history yet): alert rules and panels see a value, never a gap.
    this.gauge(METRIC.filesystemUntilFull, each((r) => r.forecast.secondsUntilFull ?? Number.POSITIVE_INFINITY));
  }

  private serviceGauges(): void {
    this.gauge(METRIC.alertOutbox, (g) => {
      const perChannel = new Map<string, number>();
      for (const entry of Object.values(this.store.current.alerts.outbox)) {
        for (const channel of entry.pending) perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
      }
      for (const channel of this.delivery.channelNames) g.set({ channel }, perChannel.get(channel) ?? 0);
    });
    this.gauge(METRIC.alertChannelFailing, (g) => {
      for (const channel of this.delivery.channelNames) g.set({ channel }, this.store.current.alerts.failingChannels[channel] ? 1 : 0);
    });
    this.gauge(METRIC.maintenance, (g) => g.set(this.store.current.maintenance.enabled ? 1 : 0));
    this.gauge(METRIC.registrations, (g) => {
      const all = Object.values(this.store.current.registrations);
      g.set({ status: 'active' }, all.filter((r) => r.status === 'active').length);
      g.set({ status: 'pending' }, all.filter((r) => r.status === 'pending').length);
    });
    this.gauge(METRIC.databaseUp, (g) => g.set(this.eventLog ? 1 : 0));
    this.gauge(METRIC.dockerUp, (g) => {
      const { status } = this.docker.status();
      if (status === 'up' || status === 'down') g.set(status === 'up' ? 1 : 0);
    });
    this.gauge(METRIC.eventLogEvents, (g) => {
      if (this.eventLog) g.set(this.eventLog.events);
    });
    this.gauge(METRIC.eventLogSize, (g) => {
      if (this.eventLog) g.set(this.eventLog.sizeBytes);
    });
  }
}
