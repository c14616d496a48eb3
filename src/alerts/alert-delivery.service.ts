import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '../common/event-bus.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { AlertMessage, NewEvent } from '../event-log/event.types.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { ALERT_CHANNELS, AlertChannel } from './alert-channel.port.js';

/** Retry schedule: 1 s, 2 s, 4 s … at most MAX_BACKOFF_MS, each ±20 % (jitter). */
export const FIRST_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 5 * 60_000;
/** A send that takes longer than this counts as failed. */
export const SEND_TIMEOUT_MS = 10_000;

interface Job {
  readonly alert: AlertMessage;
  attempts: number;
}

/**
 * The outbox worker. An alert is committed (alert.raised / alert.resolved, naming its channels) before any send;
 * this delivers it on each channel, one message at a time per channel in commit order, retrying with exponential
 * backoff and jitter until the receiver accepts it — at least once, with the same id on every attempt and after
 * restarts (pending deliveries are part of the state). Each channel runs on its own, off the cleanup path: an
 * outage delays its alerts, never anything else. A channel that keeps failing is reported (channel.failing,
 * which the rules turn into an alert on the other channels) after SM_ALERT_CHANNEL_FAILING_SECONDS, and
 * recovers on its first success.
 */
@Injectable()
export class AlertDeliveryService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertDeliveryService.name);
  private readonly queues = new Map<string, Job[]>();
  private readonly busy = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failingSince = new Map<string, number>();
  private stopped = false;
  private bootstrapped = false;

  constructor(
    @Inject(ALERT_CHANNELS) private readonly channels: readonly AlertChannel[],
    private readonly store: StateStore,
    private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.on(EVENTS_COMMITTED, (events) => {
      if (!this.bootstrapped) return; // the outbox in the state is picked up at bootstrap
      for (const event of events) {
        if (event.type !== 'alert.raised' && event.type !== 'alert.resolved') continue;
        for (const name of event.payload.channels) this.enqueue(name, { alert: event.payload.alert, attempts: 0 });
      }
    });
  }

  /** Resumes what a previous run left in the outbox (a crash, a restart during an outage). */
  onApplicationBootstrap(): void {
    this.bootstrapped = true;
    const pending = Object.values(this.store.current.alerts.outbox).sort((a, b) => a.alert.at.localeCompare(b.alert.at));
    for (const entry of pending) {
      for (const name of entry.pending) this.enqueue(name, { alert: entry.alert, attempts: entry.attempts[name] ?? 0 });
    }
    if (pending.length > 0) this.logger.log(`Outbox: ${pending.length} alert(s) still to deliver`);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Names of the configured channels. */
  get channelNames(): string[] {
    return this.channels.map((c) => c.name);
  }

  /** Per channel: messages waiting, and whether it is failing (for GET /api/alerts and metrics). */
  status(): Array<{ channel: string; pending: number; failing: { since: string; error: string } | null }> {
    return this.channels.map((channel) => ({
      channel: channel.name,
      pending: this.queues.get(channel.name)?.length ?? 0,
      failing: this.store.current.alerts.failingChannels[channel.name] ?? null,
    }));
  }

  /** Posts the active alerts again to the channels that forget them otherwise (best effort: the next pass retries). */
  async refreshActive(alerts: readonly AlertMessage[]): Promise<void> {
    for (const channel of this.channels.filter((c) => c.refreshesActive)) {
      for (const alert of alerts) {
        await withTimeout(channel.send(alert), SEND_TIMEOUT_MS).catch((error: unknown) => this.logger.debug(`Refresh through ${channel.name} failed: ${message(error)}`));
      }
    }
  }

  /** Sends one message through every channel now, outside the outbox, and reports each result (POST /api/alerts/test). */
  async sendNow(alert: AlertMessage): Promise<Array<{ channel: string; ok: boolean; error: string | null; duration_ms: number }>> {
    return Promise.all(
      this.channels.map(async (channel) => {
        const started = performance.now();
        try {
          await withTimeout(channel.send(alert), SEND_TIMEOUT_MS);
          return { channel: channel.name, ok: true, error: null, duration_ms: Math.round(performance.now() - started) };
        } catch (error) {
          return { channel: channel.name, ok: false, error: message(error), duration_ms: Math.round(performance.now() - started) };
        }
      }),
    );
  }

  private enqueue(name: string, job: Job): void {
    if (!this.channels.some((c) => c.name === name)) {
      // A channel removed from the configuration since the alert was committed: nothing can deliver it.
      void this.record([{ type: 'alert.delivered', payload: { id: job.alert.id, channel: name, attempts: 0 } }]);
      return;
    }
    const queue = this.queues.get(name) ?? [];
    if (queue.some((j) => j.alert.id === job.alert.id)) return;
    queue.push(job);
    this.queues.set(name, queue);
    void this.drain(name);
  }

  /** Sends the channel's queue in order; a failure waits its backoff, then the same message is tried again. */
  private async drain(name: string): Promise<void> {
    if (this.busy.has(name) || this.timers.has(name) || this.stopped) return;
    const channel = this.channels.find((c) => c.name === name)!;
    const queue = this.queues.get(name) ?? [];
    this.busy.add(name);
    try {
      while (queue.length > 0 && !this.stopped) {
        const job = queue[0]!;
        try {
          await withTimeout(channel.send(job.alert), SEND_TIMEOUT_MS);
        } catch (error) {
          job.attempts++;
          await this.failed(name, job, message(error));
          const delay = backoff(job.attempts);
          this.timers.set(name, setTimeout(() => {
            this.timers.delete(name);
            void this.drain(name);
          }, delay).unref());
          return;
        }
        queue.shift();
        this.logger.log(`Alert ${job.alert.id} delivered through ${name}${job.attempts > 0 ? ` after ${job.attempts} failed attempt(s)` : ''}`);
        await this.record([{ type: 'alert.delivered', payload: { id: job.alert.id, channel: name, attempts: job.attempts + 1 } }]);
        if (this.failingSince.has(name) || this.store.current.alerts.failingChannels[name]) {
          this.failingSince.delete(name);
          if (this.store.current.alerts.failingChannels[name]) {
            this.logger.log(`Alert channel ${name} delivers again`);
            await this.record([{ type: 'channel.recovered', payload: { channel: name } }]);
          }
        }
      }
    } finally {
      this.busy.delete(name);
    }
  }

  private async failed(name: string, job: Job, error: string): Promise<void> {
    const since = this.failingSince.get(name) ?? Date.now();
    this.failingSince.set(name, since);
    const events: NewEvent[] = [];
    // The 1st, 2nd, 4th, 8th… failure of a message is recorded: the log stays small during a long outage.
    if ((job.attempts & (job.attempts - 1)) === 0) {
      events.push({ type: 'alert.delivery_failed', payload: { id: job.alert.id, channel: name, attempts: job.attempts, error } });
      this.logger.warn(`Alert ${job.alert.id} not delivered through ${name} (attempt ${job.attempts}): ${error}`);
    }
    // Reported once it has failed for SM_ALERT_CHANNEL_FAILING_SECONDS (a receiver restarting is not "failing").
    const failingLong = Date.now() - since >= this.config.alerts.channelFailingSeconds * 1000;
    if (failingLong && !this.store.current.alerts.failingChannels[name]) {
      this.logger.error(`Alert channel ${name} is failing: ${error}`);
      events.push({ type: 'channel.failing', payload: { channel: name, error, pending: this.queues.get(name)?.length ?? 0 } });
    }
    await this.record(events);
  }

  private async record(events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.store.record(events).catch((error: unknown) => this.logger.warn(`Delivery record not committed: ${message(error)}`));
  }
}

export function backoff(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
