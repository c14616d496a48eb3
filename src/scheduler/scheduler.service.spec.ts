import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FixedClock } from '../common/clock.js';
import { SchedulerService, type JobStatus } from './scheduler.service.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const at = (ms: number): string => new Date(T0.getTime() + ms).toISOString();

const everyRuns: Runs[] = [];

/** A job whose runs end when the spec says so. */
class Runs {
  calls = 0;
  active = 0;
  maxActive = 0;
  private pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor() {
    everyRuns.push(this);
  }

  readonly job = (): Promise<void> => {
    this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    return new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject })).finally(() => this.active--);
  };

  finish(): void {
    this.pending.shift()!.resolve();
  }

  fail(message: string): void {
    this.pending.shift()!.reject(new Error(message));
  }

  /** Ends every run still going (so that the spec's scheduler can stop). */
  finishAll(): void {
    while (this.pending.length > 0) this.finish();
  }
}

describe('SchedulerService', () => {
  let clock: FixedClock;
  let scheduler: SchedulerService;

  /** Time passes: the fixed clock and the (fake) timers move together. */
  async function elapse(ms: number): Promise<void> {
    clock.advance(ms);
    await jest.advanceTimersByTimeAsync(ms);
  }

  const status = (name: string): JobStatus => scheduler.status().find((job) => job.name === name)!;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'performance', 'hrtime', 'Date'] });
    clock = new FixedClock(T0);
    scheduler = new SchedulerService(clock);
  });

  afterEach(async () => {
    for (const runs of everyRuns.splice(0)) runs.finishAll();
    await scheduler.stop();
    jest.useRealTimers();
  });

  it('runs nothing before it starts, then every job first one interval after the start', async () => {
    let runs = 0;
    scheduler.every('sweep', 60, async () => void runs++);

    await elapse(10 * 60_000);
    expect(runs).toBe(0);
    expect(status('sweep')).toMatchObject({ runs: 0, next_run: null, last_run: null });

    scheduler.onApplicationBootstrap();
    expect(status('sweep').next_run).toBe(at(10 * 60_000 + 60_000));
    await elapse(59_999);
    expect(runs).toBe(0);
    await elapse(1);
    expect(runs).toBe(1);
    expect(status('sweep')).toMatchObject({ runs: 1, running: false, last_run: at(11 * 60_000), last_duration_ms: 0, last_error: null, next_run: at(12 * 60_000) });
  });

  it('never overlaps a job with itself: the next run is scheduled one interval after the previous one ends', async () => {
    const runs = new Runs();
    scheduler.every('sweep', 60, runs.job);
    scheduler.start();

    await elapse(60_000);
    expect(status('sweep')).toMatchObject({ running: true, runs: 0 });
    await elapse(5 * 60_000); // the run takes five intervals
    expect(runs.calls).toBe(1);

    runs.finish();
    await elapse(0);
    expect(status('sweep')).toMatchObject({ running: false, runs: 1, last_run: at(60_000), last_duration_ms: 5 * 60_000, next_run: at(7 * 60_000) });
    await elapse(59_999);
    expect(runs.calls).toBe(1);
    await elapse(1);
    expect(runs.calls).toBe(2);
    expect(runs.maxActive).toBe(1);
  });

  it('records a failure in the status and retries at the next interval; a success clears it', async () => {
    const runs = new Runs();
    scheduler.every('alerts', 30, runs.job);
    scheduler.start();

    await elapse(30_000);
    runs.fail('SMTP server unreachable');
    await elapse(0);
    expect(status('alerts')).toMatchObject({ runs: 1, last_error: 'SMTP server unreachable', next_run: at(60_000) });

    await elapse(30_000);
    runs.finish();
    await elapse(0);
    expect(runs.calls).toBe(2);
    expect(status('alerts')).toMatchObject({ runs: 2, last_error: null, last_run: at(60_000) });
  });

  it('says a failure once while the job keeps failing the same way, and says when it works again', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const runs = new Runs();
    scheduler.every('retention', 60, runs.job);
    scheduler.start();
    for (const message of ['database unavailable', 'database unavailable', 'database unavailable', 'disk full']) {
      await elapse(60_000);
      runs.fail(message);
      await elapse(0);
    }
    expect(errors.mock.calls.map((call) => String(call[0]))).toEqual(['Job retention failed: database unavailable', 'Job retention failed: disk full']);
    await elapse(60_000);
    runs.finish();
    await elapse(0);
    expect(logs.mock.calls.map((call) => String(call[0]))).toContain('Job retention works again');
    expect(status('retention')).toMatchObject({ runs: 5, last_error: null });
    errors.mockRestore();
    logs.mockRestore();
  });

  it('runNow runs a job at once, after a run in progress has finished, never beside it', async () => {
    const runs = new Runs();
    scheduler.every('sweep', 300, runs.job);
    await expect(scheduler.runNow('nope')).rejects.toThrow(/No job nope/);

    const first = scheduler.runNow('sweep'); // works before start (the start-up catch-up)
    await elapse(0);
    expect(runs.calls).toBe(1);
    const second = scheduler.runNow('sweep');
    await elapse(1000);
    expect(runs.calls).toBe(1);

    runs.finish();
    await first;
    await elapse(0);
    expect(runs.calls).toBe(2);
    runs.finish();
    await second;
    expect(runs.maxActive).toBe(1);
    expect(status('sweep')).toMatchObject({ runs: 2, last_run: at(1000) });
  });

  it('stop waits for running jobs, and afterwards nothing runs', async () => {
    const runs = new Runs();
    scheduler.every('sweep', 60, runs.job);
    scheduler.start();
    await elapse(60_000);
    expect(status('sweep').running).toBe(true);

    let stopped = false;
    const stopping = scheduler.beforeApplicationShutdown().then(() => (stopped = true));
    await elapse(10_000);
    expect(stopped).toBe(false);

    runs.finish();
    await stopping;
    expect(stopped).toBe(true);
    expect(scheduler.isRunning).toBe(false);
    await elapse(60 * 60_000);
    expect(runs.calls).toBe(1);
    expect(status('sweep')).toMatchObject({ running: false, runs: 1, next_run: null });
  });

  it('lists every job by name, and refuses a second job of the same name', () => {
    scheduler.every('sweep', 300, async () => undefined);
    scheduler.every('alerts-outbox', 5, async () => undefined);
    scheduler.every('event-log-compaction', 3600, async () => undefined);

    expect(() => scheduler.every('sweep', 60, async () => undefined)).toThrow(/exists already/);
    expect(scheduler.status().map((job) => [job.name, job.interval_seconds])).toEqual([
      ['alerts-outbox', 5],
      ['event-log-compaction', 3600],
      ['sweep', 300],
    ]);
  });
});
