import type { EventRecord, NewEvent } from '../../src/event-log/event.types.js';
import { Holds, type Hold } from './holds.js';
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
  private readonly holds = new Holds();

  /** The next append waits before committing until `release()`; `reached` resolves once it waits. */
  holdAppend(): Hold {
    return this.holds.hold();
  }

  override async append(events: readonly NewEvent[]): Promise<EventRecord[]> {
    await this.holds.pass();
    if (this.failAppends) throw this.failAppends;
    return super.append(events);
  }

  override async appendSnapshot(seq: number, version: number, state: unknown): Promise<void> {
    if (this.failSnapshots) throw this.failSnapshots;
    return super.appendSnapshot(seq, version, state);
  }
}
