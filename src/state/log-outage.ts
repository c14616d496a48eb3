import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../event-log/event.types.js';
import type { LogStorageError } from '../event-log/log-storage.error.js';

/** Spooled events are written again after this, doubling up to FLUSH_MAX_DELAY_MS while the database stays away. */
export const FLUSH_FIRST_DELAY_MS = 500;
export const FLUSH_MAX_DELAY_MS = 30_000;

export interface LogWriteStatus {
  /** `ok`; `unavailable`: writes fail (database away, I/O error); `full`: no space for them. */
  readonly status: 'ok' | 'unavailable' | 'full';
  readonly since: string | null;
  readonly error: string | null;
  /** Events held in memory meanwhile, written in order once the database takes them. */
  readonly spooled: number;
  /** Events dropped since start because the spool was full (SM_EVENT_SPOOL_MAX_EVENTS). */
  readonly dropped: number;
}

/**
 * One spell during which the event log could not be written: since when, why, how long until the next try
 * (0.5 s doubling to 30 s), and what the spool took and dropped meanwhile. Its first event (`database.unavailable`)
 * is spooled ahead of the facts; its last (`database.available`) has a uid of its own, so a commit whose answer
 * was lost is not written twice when tried again.
 */
export class LogOutage {
  error: string;
  timer: NodeJS.Timeout | undefined;
  private delay = FLUSH_FIRST_DELAY_MS;
  private spooledCount = 0;
  private droppedCount = 0;
  private warnedFull = false;
  private readonly endUid = randomUUID();

  constructor(
    readonly kind: 'full' | 'unavailable',
    readonly since: Date,
    cause: LogStorageError,
  ) {
    this.error = cause.message;
  }

  get delayMs(): number {
    return this.delay;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** After a failed try: the next one waits twice as long, up to FLUSH_MAX_DELAY_MS. */
  backOff(): void {
    this.delay = Math.min(this.delay * 2, FLUSH_MAX_DELAY_MS);
  }

  /** Counts what the spool took; true the first time it dropped something (said once per spell). */
  noteSpooled(taken: number, dropped: number): boolean {
    this.spooledCount += taken;
    this.droppedCount += dropped;
    if (dropped === 0 || this.warnedFull) return false;
    this.warnedFull = true;
    return true;
  }

  startEvent(): NewEvent {
    return { type: 'database.unavailable', payload: { since: this.since.toISOString(), error: this.error } };
  }

  endEvent(now: Date): NewEvent {
    return { type: 'database.available', uid: this.endUid, payload: { unavailable_seconds: this.seconds(now), spooled: this.spooledCount, dropped: this.droppedCount } };
  }

  seconds(now: Date): number {
    return Math.round((now.getTime() - this.since.getTime()) / 1000);
  }

  get spooled(): number {
    return this.spooledCount;
  }
}
