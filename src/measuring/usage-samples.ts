import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock.js';
import type { NewEvent } from '../event-log/event.types.js';
import { targetKey, type Registration } from '../state/state.model.js';
import type { StateStore } from '../state/state.store.js';
import type { Tally } from './file-index.js';

/** Usage samples are written together at most this often. */
export const SAMPLE_BATCH_MS = 1000;

/**
 * At most one usage sample per target per monitor interval, and only when the tally moved (an empty target that
 * stays empty records none). Samples are written together, one transaction per SAMPLE_BATCH_MS, so that starting
 * hundreds of monitors does not queue hundreds of commits ahead of API writes.
 */
export class UsageSamples {
  private readonly logger = new Logger(UsageSamples.name);
  private readonly lastSampled = new Map<string, { at: number; bytes: number; files: number }>();
  private readonly pending = new Map<string, NewEvent>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    /** SM_MONITOR_INTERVAL_SECONDS, in ms. */
    private readonly intervalMs: number,
  ) {}

  /** The tally of `registration`'s target changed: a sample, if one is due. */
  changed(registration: Registration, tally: Tally): void {
    const now = this.clock.now().getTime();
    const last = this.lastSampled.get(registration.id) ?? { at: -Infinity, bytes: 0, files: 0 };
    if (last.bytes === tally.bytes && last.files === tally.files) return;
    if (now - last.at < this.intervalMs) return;
    this.lastSampled.set(registration.id, { at: now, bytes: tally.bytes, files: tally.files });
    this.pending.set(registration.id, {
      type: 'usage.sampled',
      target: targetKey(registration.volume_name, registration.path),
      payload: { id: registration.id, bytes: tally.bytes, disk_bytes: tally.diskBytes, files: tally.files },
    });
    this.timer ??= setTimeout(() => void this.flush(), SAMPLE_BATCH_MS);
  }

  /** Writes the samples pending now (also at shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = [...this.pending.values()];
    this.pending.clear();
    if (events.length === 0) return;
    await this.store.record(events).catch((error: unknown) => this.logger.warn(`Usage samples not recorded: ${String(error)}`));
  }
}
