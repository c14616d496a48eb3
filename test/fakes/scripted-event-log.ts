import type { EventRecord, NewEvent } from '../../src/event-log/event.types.js';
import { InMemoryEventLog } from './in-memory-event-log.js';

/**
 * The in-memory event log, with what a database can do to its writer: an append that fails (disk full,
 * connection lost), a snapshot write that fails, or an append held open until the spec lets it commit.
 */
export class ScriptedEventLog extends InMemoryEventLog {
  /** When set, appends reject with it and store nothing. */
  failAppends: Error | undefined;
  /** When set, snapshot writes reject with it and store nothing. */
  failSnapshots: Error | undefined;
  private readonly holds: Array<{ readonly reached: () => void; readonly gate: Promise<void> }> = [];

  /** The next append waits before committing until `release()`; `reached` resolves once it waits. */
  holdAppend(): { readonly reached: Promise<void>; readonly release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const waiting = new Promise<void>((resolve) => (reached = resolve));
    this.holds.push({ reached, gate });
    return { reached: waiting, release };
  }

  override async append(events: readonly NewEvent[]): Promise<EventRecord[]> {
    const hold = this.holds.shift();
    if (hold) {
      hold.reached();
      await hold.gate;
    }
    if (this.failAppends) throw this.failAppends;
    return super.append(events);
  }

  override async appendSnapshot(seq: number, version: number, state: unknown): Promise<void> {
    if (this.failSnapshots) throw this.failSnapshots;
    return super.appendSnapshot(seq, version, state);
  }
}
