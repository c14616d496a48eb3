import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock.js';

export interface JobStatus {
  readonly name: string;
  readonly interval_seconds: number;
  readonly running: boolean;
  readonly runs: number;
  readonly last_run: string | null;
  readonly last_duration_ms: number | null;
  readonly last_error: string | null;
  readonly next_run: string | null;
}

interface Job {
  readonly name: string;
  readonly intervalMs: number;
  readonly run: () => Promise<unknown>;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  runs: number;
  lastRun?: Date;
  lastDurationMs?: number;
  lastError?: string;
  nextRun?: Date;
}

/**
 * Periodic background jobs. Each part registers its own jobs (`every`, from its `onModuleInit`); they start
 * once the application has bootstrapped and stop before it shuts down. A job never overlaps itself: the next
 * run is scheduled when the previous one ends. A failing job is logged and retried at its next interval.
 *
 * Not @nestjs/schedule: its dynamic intervals (`SchedulerRegistry.addInterval`) are bare setInterval handles —
 * runs can overlap and there is no last/next run to show in /api/health — so the few lines here stay.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly jobs = new Map<string, Job>();
  private stopped = true;

  constructor(private readonly clock: Clock) {}

  /** Adds a job; once started, it first runs after one interval. */
  every(name: string, intervalSeconds: number, run: () => Promise<unknown>): void {
    if (this.jobs.has(name)) throw new Error(`Job ${name} exists already`);
    this.jobs.set(name, { name, intervalMs: intervalSeconds * 1000, run, runs: 0 });
  }

  /** Every job registered during module initialisation starts now. */
  onApplicationBootstrap(): void {
    this.start();
  }

  /** No new run starts once shutdown begins. */
  onModuleDestroy(): void {
    this.stopTimers();
  }

  /** Runs in progress finish before the parts they use stop. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const job of this.jobs.values()) this.schedule(job, job.intervalMs);
  }

  /** Runs a job now (outside its schedule), waiting for a run in progress first. */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`No job ${name}`);
    await job.running;
    await this.execute(job);
  }

  /** Stops scheduling and waits for running jobs. Idempotent. */
  async stop(): Promise<void> {
    this.stopTimers();
    await Promise.all([...this.jobs.values()].flatMap((job) => (job.running ? [job.running] : [])));
  }

  private stopTimers(): void {
    this.stopped = true;
    for (const job of this.jobs.values()) clearTimeout(job.timer);
  }

  /** Every job, by name. */
  status(): JobStatus[] {
    return [...this.jobs.values()].sort((a, b) => a.name.localeCompare(b.name)).map((job) => ({
      name: job.name,
      interval_seconds: job.intervalMs / 1000,
      running: job.running !== undefined,
      runs: job.runs,
      last_run: job.lastRun?.toISOString() ?? null,
      last_duration_ms: job.lastDurationMs ?? null,
      last_error: job.lastError ?? null,
      next_run: this.stopped ? null : (job.nextRun?.toISOString() ?? null),
    }));
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  private schedule(job: Job, delayMs: number): void {
    if (this.stopped) return;
    job.nextRun = new Date(this.clock.now().getTime() + delayMs);
    job.timer = setTimeout(() => {
      void this.execute(job).then(() => this.schedule(job, job.intervalMs));
    }, delayMs);
    job.timer.unref();
  }

  private async execute(job: Job): Promise<void> {
    const started = this.clock.now();
    const run = (async () => {
      try {
        await job.run();
        if (job.lastError !== undefined) this.logger.log(`Job ${job.name} works again`);
        job.lastError = undefined;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // Said once while it keeps failing the same way (a database away for an hour is one error, not 60).
        if (message !== job.lastError) this.logger.error(`Job ${job.name} failed: ${message}`);
        else this.logger.debug(`Job ${job.name} failed again: ${message}`);
        job.lastError = message;
      } finally {
        job.runs++;
        job.lastRun = started;
        job.lastDurationMs = this.clock.now().getTime() - started.getTime();
      }
    })();
    job.running = run;
    await run;
    job.running = undefined;
  }
}
