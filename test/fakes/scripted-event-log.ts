import type { EventRecord, NewEvent } from '../../src/event-log/event.types.js';
import { Holds, type Hold } from './holds.js';
import { InMemoryEventLog } from './in-memory-event-log.js';

/**
 * The in-memory event log, with what a database can do to its writer: an append that fails (disk full,
 * connection lost), a commit whose answer is lost after it stored, a snapshot write that fails, or an append
 * held open until the spec lets it commit.
 */
export class ScriptedEventLog extends InMemoryEventLog {
  /** When set, appends reject with it and store nothing. */
  failAppends: Error | undefined;
  /**
   * When set, the next append stores its events and then rejects with it (once): a commit that went through
   * while its answer was lost with the connection.
   */
  storeThenFail: Error | undefined;
  /** Every append, in order, with the events it was asked to write and whether it stored them. */
  readonly attempts: Array<{ readonly types: string[]; readonly stored: boolean }> = [];
  /** When set, snapshot writes reject with it and store nothing. */
  failSnapshots: Error | undefined;
  private readonly holds = new Holds();

  /** The next append waits before committing until `release()`; `reached` resolves once it waits. */
  holdAppend(): Hold {
    return this.holds.hold();
  }

  override async append(events: readonly NewEvent[]): Promise<EventRecord[]> {
    await this.holds.pass();
    const types = events.map((e) => e.type);
    if (this.failAppends) {
      this.attempts.push({ types, stored: false });
      throw this.failAppends;
    }
    const stored = await super.append(events);
    this.attempts.push({ types, stored: true });
    const lost = this.storeThenFail;
    if (lost) {
      this.storeThenFail = undefined;
      throw lost;
    }
    return stored;
  }

  override async appendSnapshot(seq: number, version: number, state: unknown): Promise<void> {
    if (this.failSnapshots) throw this.failSnapshots;
    return super.appendSnapshot(seq, version, state);
  }
}
