import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AlertDeliveryService } from '../alerts/alert-delivery.service.js';
import { TRIGGERS } from '../cleanup/cleanup-report.js';
import { CLEANUP_RAN } from '../cleanup/cleanup.topics.js';
import { overCap } from '../cleanup/trigger.service.js';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { TimeSlices } from '../common/time-slices.js';
import { EventLogRepository } from '../event-log/event-log.repository.js';
import { MeasuringService } from '../measuring/measuring.service.js';
import { TALLY_CHANGED } from '../measuring/measuring.topics.js';
import { StateDiskService } from '../event-log/state-disk.service.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { FilesystemSampler } from '../tiers/filesystem-sampler.service.js';
import { TargetTiers } from '../tiers/target-tiers.service.js';
import { DockerEngineWatch } from '../volumes/docker-engine-watch.service.js';
import { ExpositionWriter } from './exposition.js';
import { METRIC } from './metric-names.js';
import { StateGauges } from './state-gauges.js';

type Spec = (typeof METRIC)[keyof typeof METRIC];
const EVENT_LOG_STATS_MS = 1000;
const RENDER_AT_LEAST_EVERY_MS = 1000;
/** A render holds the event loop at most about this long at once (B9: 10–15 ms of CPU in all at 1,000 targets). */
const RENDER_SLICE_MS = 3;
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The Prometheus registry. Counters and histograms follow what happens (cleanups, drift, tier changes, from the
 * bus); gauges read the current state when scraped, so a scrape never walks a tree nor stats a filesystem. The
 * per-target and per-filesystem gauges are written straight into the text (state-gauges.ts, exposition.ts).
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();
  private readonly counters = new Map<Spec, Counter>();
  private readonly histograms = new Map<Spec, Histogram>();
  /** Capped targets seen over their cap, since when (performance.now()). */
  private readonly overCapSince = new Map<string, number>();
  private eventLog: { events: number; sizeBytes: number } | undefined;
  private eventLogAskedAt = -Infinity;
  private rendering: Promise<Buffer> | undefined;
  private renderQueued = false;
  /** The last render, and what it showed: the changes seen and the second it was made in. */
  private rendered: { changes: number; second: number; body: Buffer } | undefined;
  /** Bumped by everything that changes what a scrape shows. */
  private changes = 0;
  private readonly stateGauges: StateGauges;

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
    private readonly stateDisk: StateDiskService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    for (const spec of [METRIC.alertsRaised, METRIC.alertsSuppressed, METRIC.alertDeliveries, METRIC.cleanupRuns, METRIC.cleanupDeletedFiles, METRIC.cleanupFreedBytes, METRIC.tallyDriftBytes, METRIC.tallyDriftFiles, METRIC.tierChanges]) {
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
    this.serviceGauges();
    this.stateGauges = new StateGauges(store, measuring, filesystems, targetTiers, clock);
  }

  onModuleInit(): void {
    this.bus.on(TALLY_CHANGED, ({ registration, monitor }) => {
      this.changes++;
      if (!this.overCapSince.has(registration.id) && !registration.quarantine && overCap(registration, monitor.tally)) {
        this.overCapSince.set(registration.id, performance.now());
      }
    });
    this.bus.on(CLEANUP_RAN, ({ registration, report }) => {
      this.changes++;
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
      this.changes++;
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
   * The exposition, UTF-8 encoded. Figures that need a call (the database) are fetched once, before the gauges
   * read them; scrapes that arrive while one is being rendered share it. A change to anything it shows (a tally,
   * an event, a cleanup) makes the next scrape wait for a fresh render. When only time has passed, the last text
   * is answered at once and a fresh one is rendered behind it, at most once a second: process figures and file
   * ages may then be up to a second (plus one render) old, and a burst of scrapers costs one render a second, not
   * one each, none of them waiting for it (B9: ~800 KB and 10–15 ms of CPU per render at 1,000 targets, made
   * in slices of RENDER_SLICE_MS with the event loop let in between, so requests are not held behind it).
   */
  render(): Promise<Buffer> {
    const second = Math.floor(performance.now() / RENDER_AT_LEAST_EVERY_MS);
    const last = this.rendered;
    if (last && last.changes === this.changes) {
      if (last.second !== second && !this.rendering && !this.renderQueued) {
        // After this answer has gone out, not before it.
        this.renderQueued = true;
        setImmediate(() => {
          this.renderQueued = false;
          this.renderFresh().catch((error: unknown) => this.logger.warn(`Metrics render failed: ${String(error)}`));
        });
      }
      return Promise.resolve(last.body);
    }
    return this.renderFresh();
  }

  private renderFresh(): Promise<Buffer> {
    this.rendering ??= (async () => {
      try {
        const changes = this.changes;
        const second = Math.floor(performance.now() / RENDER_AT_LEAST_EVERY_MS);
        await this.refresh();
        const slices = new TimeSlices(RENDER_SLICE_MS);
        const library = await this.libraryText(slices);
        const state = new ExpositionWriter();
        await this.stateGauges.write(state, slices);
        // Encoded a family at a time (one 800 KB string would be ~2 ms at once), then joined.
        const parts = [Buffer.from(`${library}\n`, 'utf8')];
        for (const text of state.parts()) {
          parts.push(Buffer.from(text, 'utf8'));
          await slices.maybePause();
        }
        const body = Buffer.concat(parts);
        this.rendered = { changes, second, body };
        return body;
      } finally {
        this.rendering = undefined;
      }
    })();
    return this.rendering;
  }

  /**
   * prom-client's part (counters, histograms, process metrics, service gauges), one metric at a time with the
   * event loop let in when the slice is used up; the same text as `registry.metrics()`.
   */
  private async libraryText(slices: TimeSlices): Promise<string> {
    const texts: string[] = [];
    for (const metric of this.registry.getMetricsAsArray()) {
      texts.push(await this.registry.getSingleMetricAsString(metric.name));
      await slices.maybePause();
    }
    return `${texts.join('\n\n')}\n`;
  }

  /** The database's figures, asked at most once a second (a scrape rate of 100/s would otherwise be 100 queries/s). */
  private async refresh(): Promise<void> {
    const now = performance.now();
    if (now - this.eventLogAskedAt < EVENT_LOG_STATS_MS) return;
    this.eventLogAskedAt = now;
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
    this.gauge(METRIC.databaseWritable, (g) => g.set(this.store.writeStatus().status === 'ok' ? 1 : 0));
    this.gauge(METRIC.eventSpool, (g) => g.set(this.store.writeStatus().spooled));
    this.gauge(METRIC.eventSpoolDropped, (g) => g.set(this.store.writeStatus().dropped));
    this.gauge(METRIC.stateDiskFull, (g) => g.set(this.stateDisk.full ? 1 : 0));
    this.gauge(METRIC.stateReserveBytes, (g) => g.set(this.stateDisk.status().reserve_bytes));
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
