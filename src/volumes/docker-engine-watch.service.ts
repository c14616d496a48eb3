import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EventBus, Topic } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { NewEvent } from '../event-log/event.types.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { StateStore } from '../state/state.store.js';
import { DockerEngine, EngineRefusedError, EngineUnreachableError, type EngineContainer, type EngineEvent, type EngineEventStream, type EngineVolume } from './docker-engine.port.js';
import { VOLUMES_CHANGED } from './volume-catalog.js';

export const DOCKER_DISCOVERY_JOB = 'docker-discovery';
export const DOCKER_DISK_USAGE_JOB = 'docker-disk-usage';
/** Reconnection waits double from this… */
export const RECONNECT_BASE_MS = 500;
/** …up to this. */
export const RECONNECT_CAP_MS = 30_000;
/** Start-up waits this long at most for the first connection (which goes on in the background after). */
export const START_WAIT_MS = 5_000;
/** An event stream that stayed open this long resets the backoff when it ends. */
export const STABLE_STREAM_MS = 10_000;
/** Engine events are coalesced: a listing runs this long after the last one… */
export const EVENT_QUIET_MS = 20;
/** …and at most this long after the first. */
export const EVENT_MAX_WAIT_MS = 100;

/** What the Engine had at one moment: every volume and every container (running or not). */
export interface DockerSnapshot {
  readonly volumes: readonly EngineVolume[];
  readonly containers: readonly EngineContainer[];
  readonly at: Date;
}

/** Published after every successful listing of the Engine (start, interval, container and volume events). */
export const DOCKER_SNAPSHOT = new Topic<{ readonly snapshot: DockerSnapshot; readonly reason: string }>('docker.snapshot');

export interface DockerStatus {
  /** `disabled`: SM_DOCKER_HOST is empty; `connecting`: not asked yet. */
  readonly status: 'disabled' | 'connecting' | 'up' | 'down';
  readonly host: string | null;
  /** Since when the status holds. */
  readonly since: string | null;
  readonly last_error: string | null;
  readonly version: string | null;
  readonly api_version: string | null;
  /** Whether the event stream is open (containers and volumes are followed at once, not only every interval). */
  readonly events: boolean;
  readonly last_listing: string | null;
  readonly volumes: number;
  readonly containers: number;
  /** When the disk-usage report (volume sizes) was last read, and why it could not be, if it could not. */
  readonly disk_usage_at: string | null;
  readonly disk_usage_error: string | null;
}

/**
 * The manager's view of the Docker Engine: the latest listing of its volumes and containers, their sizes from a
 * cached disk-usage report, and whether it can be reached. Listings run at start, every
 * SM_DISCOVERY_INTERVAL_SECONDS and at once on container and volume events (coalesced); the disk-usage report is
 * read in the background every SM_MONITOR_INTERVAL_SECONDS, never on a request. When the Engine goes away the
 * last listing is kept (a volume cannot disappear while its Engine is down), the change is an event
 * (`docker.unreachable`, `docker.reachable`), and connecting is retried with a capped exponential backoff; the
 * event stream is opened again whenever it drops, followed by a full listing for what it missed.
 */
@Injectable()
export class DockerEngineWatch implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(DockerEngineWatch.name);
  private latest: DockerSnapshot | undefined;
  private usageByName = new Map<string, { bytes: number; measuredAt: Date }>();
  private usageAt: Date | undefined;
  private usageError: string | undefined;
  private state: DockerStatus['status'];
  private since: Date | undefined;
  private lastError: string | null = null;
  private engineVersion: { version: string; apiVersion: string } | undefined;
  private downSince: Date | undefined;
  private stream: EngineEventStream | undefined;
  private streamError: string | undefined;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private firstEventAt: number | undefined;
  private eventReasons = new Set<string>();
  private listing: Promise<boolean> = Promise.resolve(true);
  private queuedListing: Promise<boolean> | undefined;
  private usageRun: Promise<void> | undefined;
  private connecting: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly engine: DockerEngine,
    private readonly store: StateStore,
    private readonly bus: EventBus,
    private readonly scheduler: SchedulerService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.state = config.docker.endpoint ? 'connecting' : 'disabled';
  }

  get enabled(): boolean {
    return this.config.docker.endpoint !== undefined;
  }

  /** Whether the last attempt to ask the Engine succeeded. */
  get reachable(): boolean {
    return this.state === 'up';
  }

  /** The latest listing (kept while the Engine is away); undefined before the first one. */
  snapshot(): DockerSnapshot | undefined {
    return this.latest;
  }

  /** The volume's size from the latest disk-usage report. */
  usageOf(name: string): { bytes: number; measuredAt: Date } | undefined {
    return this.usageByName.get(name);
  }

  status(): DockerStatus {
    return {
      status: this.state,
      host: this.config.docker.endpoint?.url ?? null,
      since: this.since?.toISOString() ?? null,
      last_error: this.lastError,
      version: this.engineVersion?.version ?? null,
      api_version: this.engineVersion?.apiVersion ?? null,
      events: this.stream !== undefined,
      last_listing: this.latest?.at.toISOString() ?? null,
      volumes: this.latest?.volumes.length ?? 0,
      containers: this.latest?.containers.length ?? 0,
      disk_usage_at: this.usageAt?.toISOString() ?? null,
      disk_usage_error: this.usageError ?? null,
    };
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.scheduler.every(DOCKER_DISCOVERY_JOB, this.config.intervals.discoverySeconds, () => this.refresh('interval'));
    this.scheduler.every(DOCKER_DISK_USAGE_JOB, this.config.intervals.monitorSeconds, () => this.refreshUsage());
  }

  /**
   * Connects (event stream, then a full listing) before the parts that read volumes start, waiting START_WAIT_MS
   * at most (an address that never answers must not hold start-up); never fails start-up.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    let timer: NodeJS.Timeout | undefined;
    const connected = this.connect();
    void connected.then(() => this.refreshUsage());
    await Promise.race([connected, new Promise<void>((resolve) => (timer = setTimeout(resolve, START_WAIT_MS)))]);
    clearTimeout(timer);
  }

  onModuleDestroy(): void {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.eventTimer);
    this.stream?.close();
    this.stream = undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.connecting, this.listing, this.usageRun]);
  }

  /**
   * Lists the Engine's volumes and containers now and publishes the result. Serialised; calls made while one runs
   * share the next. Resolves false when the Engine could not be asked (the last listing is kept).
   */
  refresh(reason: string): Promise<boolean> {
    if (!this.enabled || this.stopping) return Promise.resolve(false);
    if (this.queuedListing) return this.queuedListing;
    const queued = this.listing.then(() => {
      this.queuedListing = undefined;
      return this.list(reason);
    });
    this.queuedListing = queued;
    this.listing = queued;
    return queued;
  }

  /** Reads the disk-usage report (every volume's size); single-flight. */
  refreshUsage(): Promise<void> {
    if (!this.enabled || this.stopping || !this.reachable) return Promise.resolve();
    this.usageRun ??= (async () => {
      try {
        const usage = await this.engine.volumeUsage();
        const measuredAt = this.clock.now();
        this.usageByName = new Map(usage.map((u) => [u.name, { bytes: u.bytes, measuredAt }]));
        this.usageAt = measuredAt;
        if (this.usageError) this.logger.log('The Engine\'s disk-usage report can be read again');
        this.usageError = undefined;
      } catch (error) {
        const message = messageOf(error);
        if (this.usageError !== message) this.logger.warn(`The Engine's disk-usage report could not be read (volume sizes are measured otherwise): ${message}`);
        this.usageError = message;
      } finally {
        this.usageRun = undefined;
      }
    })();
    return this.usageRun;
  }

  private async list(reason: string): Promise<boolean> {
    if (this.stopping) return false;
    try {
      const [volumes, containers] = await Promise.all([this.engine.listVolumes(), this.engine.listContainers()]);
      const previous = this.latest;
      const snapshot: DockerSnapshot = { volumes, containers, at: this.clock.now() };
      this.latest = snapshot;
      const cameBack = await this.markUp();
      this.bus.publish(DOCKER_SNAPSHOT, { snapshot, reason });
      if (cameBack || !previous || volumesDiffer(previous.volumes, volumes)) this.bus.publish(VOLUMES_CHANGED, { reason: `docker: ${reason}` });
      return true;
    } catch (error) {
      if (error instanceof EngineUnreachableError || error instanceof EngineRefusedError) {
        await this.markDown(error.message);
        this.scheduleReconnect();
      } else {
        this.logger.error(`Docker listing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      return false;
    }
  }

  /**
   * One attempt: ask the version, open the event stream, then list (what the stream did not see). An Engine that
   * answers but whose stream cannot be opened (a proxy that forbids it) is followed by its periodic listings
   * meanwhile. Retried with backoff while anything failed.
   */
  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      try {
        this.logger.debug('Connecting');
        if (this.stopping) return;
        this.stream?.close();
        this.stream = undefined;
        try {
          this.engineVersion = await this.engine.version();
        } catch (error) {
          await this.markDown(messageOf(error));
          this.scheduleReconnect();
          return;
        }
        try {
          const stream = await this.engine.subscribe((event) => this.onEngineEvent(event));
          if (this.stopping) {
            stream.close();
            return;
          }
          this.stream = stream;
          this.streamError = undefined;
          const opened = performance.now();
          void stream.ended.then((why) => this.onStreamEnded(stream, why, performance.now() - opened));
        } catch (error) {
          const message = messageOf(error);
          if (this.streamError !== message) this.logger.warn(`Docker event stream could not be opened (${message}): following by listings every ${this.config.intervals.discoverySeconds} s meanwhile`);
          this.streamError = message;
        }
        await this.refresh('connected');
        if (!this.stream) this.scheduleReconnect();
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private onStreamEnded(stream: EngineEventStream, why: Error | undefined, livedMs: number): void {
    if (this.stopping || this.stream !== stream || why === undefined) return;
    this.stream = undefined;
    this.logger.warn(`Docker event stream ended (${why.message}); opening it again`);
    if (livedMs >= STABLE_STREAM_MS) this.attempt = 0;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) {
      this.logger.debug(`Reconnection already scheduled (${this.stopping ? 'stopping' : 'timer pending'})`);
      return;
    }
    const delay = this.attempt === 0 ? 0 : Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** (this.attempt - 1));
    this.logger.debug(`Reconnecting in ${delay} ms (attempt ${this.attempt + 1})${this.connecting ? ', a connection attempt is under way' : ''}`);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** Container and volume events start one listing shortly after (bursts coalesce into one). */
  private onEngineEvent(event: EngineEvent): void {
    const relevant =
      (event.type === 'container' && ['create', 'destroy', 'rename', 'update'].includes(event.action)) ||
      (event.type === 'volume' && ['create', 'destroy'].includes(event.action));
    if (!relevant || this.stopping) return;
    this.eventReasons.add(`${event.type} ${event.action}`);
    const now = performance.now();
    this.firstEventAt ??= now;
    clearTimeout(this.eventTimer);
    const wait = Math.max(0, Math.min(EVENT_QUIET_MS, this.firstEventAt + EVENT_MAX_WAIT_MS - now));
    this.eventTimer = setTimeout(() => {
      const reason = [...this.eventReasons].join(', ');
      this.eventReasons.clear();
      this.firstEventAt = undefined;
      this.eventTimer = undefined;
      void this.refresh(reason);
    }, wait);
    this.eventTimer.unref();
  }

  /** Whether the Engine came back (or answered for the first time). */
  private async markUp(): Promise<boolean> {
    if (this.state === 'up') return false;
    const now = this.clock.now();
    const downFor = this.downSince ? Math.round((now.getTime() - this.downSince.getTime()) / 1000) : null;
    this.state = 'up';
    this.attempt = 0;
    this.since = now;
    this.lastError = null;
    this.downSince = undefined;
    this.logger.log(`Docker Engine ${this.config.docker.endpoint?.url ?? ''} reachable (${this.engineVersion?.version ?? 'version unknown'}, API ${this.engineVersion?.apiVersion ?? '?'})${downFor === null ? '' : ` after ${downFor} s away`}`);
    await this.recordChange({
      type: 'docker.reachable',
      payload: { host: this.config.docker.endpoint?.url ?? '', version: this.engineVersion?.version ?? null, api_version: this.engineVersion?.apiVersion ?? null, unreachable_seconds: downFor },
    });
    return true;
  }

  private async markDown(error: string): Promise<void> {
    this.lastError = error;
    if (this.state === 'down' || this.stopping) return;
    const now = this.clock.now();
    this.state = 'down';
    this.since = now;
    this.downSince = now;
    this.logger.warn(`Docker Engine unreachable: ${error}. Registrations stay as they are; retrying with backoff`);
    await this.recordChange({ type: 'docker.unreachable', payload: { host: this.config.docker.endpoint?.url ?? '', error } });
  }

  /** The change is on the record (and alerted from there); a database that cannot take it is only logged. */
  private async recordChange(event: NewEvent<'docker.reachable' | 'docker.unreachable'>): Promise<void> {
    try {
      await this.store.record([event]);
    } catch (error) {
      this.logger.warn(`Could not record ${event.type}: ${messageOf(error)}`);
    }
  }
}

function volumesDiffer(a: readonly EngineVolume[], b: readonly EngineVolume[]): boolean {
  if (a.length !== b.length) return true;
  const key = (v: EngineVolume): string => `${v.name}\0${v.driver}\0${v.mountpoint}\0${JSON.stringify(v.options)}`;
  const before = new Set(a.map(key));
  return b.some((v) => !before.has(key(v)));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
