import type { Clock } from '../../src/common/clock.js';
import type { EventLogRepository } from '../../src/event-log/event-log.repository.js';
import type { EventRecord, NewEvent, StoredSnapshot } from '../../src/event-log/event.types.js';

/** The event log's adapter in memory, with the same append-only surface, for fast service specs. */
export class InMemoryEventLog {
  readonly events: EventRecord[] = [];
  readonly snapshots: StoredSnapshot[] = [];
  private seq = 0;
  readonly driver = 'sqlite' as const;

  constructor(private readonly clock: Clock) {}

  asRepository(): EventLogRepository {
    return this as unknown as EventLogRepository;
  }

  async append(events: readonly NewEvent[]): Promise<EventRecord[]> {
    const at = this.clock.now();
    const stored = events.map((e) => ({
      seq: ++this.seq,
      at,
      type: e.type,
      target: e.target ?? null,
      payload: JSON.parse(JSON.stringify(e.payload)) as Record<string, unknown>,
    }));
    this.events.push(...stored);
    return stored;
  }

  async *readAfter(afterSeq: number): AsyncGenerator<EventRecord> {
    for (const event of this.events) if (event.seq > afterSeq) yield event;
  }

  async latestSnapshot(): Promise<StoredSnapshot | undefined> {
    return this.snapshots.at(-1);
  }

  async appendSnapshot(seq: number, version: number, state: unknown): Promise<void> {
    this.snapshots.push({ seq, at: this.clock.now(), version, state: JSON.parse(JSON.stringify(state)) });
  }

  async compact(coveredSeq: number, olderThan: Date): Promise<number> {
    const before = this.events.length;
    const kept = this.events.filter((e) => e.seq > coveredSeq || e.at >= olderThan);
    this.events.splice(0, this.events.length, ...kept);
    this.snapshots.splice(0, this.snapshots.length - 1);
    return before - kept.length;
  }

  async lastSeq(): Promise<number> {
    return this.seq;
  }
}
