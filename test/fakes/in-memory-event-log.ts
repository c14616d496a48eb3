import type { Clock } from '../../src/common/clock.js';
import { EventLogRepository } from '../../src/event-log/event-log.repository.js';
import {
  committedEvent,
  type DeletionQuery,
  type DeletionRecord,
  type EventLogStats,
  type EventQuery,
  type EventRecord,
  type NewEvent,
  type StoredSnapshot,
} from '../../src/event-log/event.types.js';

/** The event log port in memory, with the same append-only surface, for fast service specs. */
export class InMemoryEventLog extends EventLogRepository {
  readonly events: EventRecord[] = [];
  readonly snapshots: StoredSnapshot[] = [];
  private seq = 0;
  readonly driver = 'sqlite' as const;
  readonly deletions: DeletionRecord[] = [];
  private readonly uids = new Map<string, EventRecord>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async append(events: readonly NewEvent[]): Promise<EventRecord[]> {
    const now = this.clock.now();
    return events.map((e) => {
      const existing = e.uid === undefined ? undefined : this.uids.get(e.uid);
      if (existing) return existing;
      // Through JSON, as a database would store it: a caller's later mutation cannot reach the log.
      const record = committedEvent(JSON.parse(JSON.stringify(e)) as NewEvent, ++this.seq, e.at ?? now);
      this.events.push(record);
      if (e.uid !== undefined) this.uids.set(e.uid, record);
      for (const file of e.deleted ?? []) {
        const payload = record.payload as { trigger?: string; algorithm?: string; reason?: string; run?: string };
        this.deletions.push({
          ...file,
          seq: record.seq,
          type: record.type as DeletionRecord['type'],
          at: record.at,
          target: record.target,
          trigger: payload.trigger ?? null,
          algorithm: payload.algorithm ?? null,
          reason: payload.reason ?? null,
          run: payload.run ?? null,
        });
      }
      return record;
    });
  }

  async hasUid(uid: string): Promise<boolean> {
    return this.uids.has(uid);
  }

  async findDeletions(query: DeletionQuery): Promise<DeletionRecord[]> {
    return this.deletions
      .filter((d) => d.path === query.path && (query.volumeName === undefined || d.volume_name === query.volumeName))
      .reverse()
      .slice(0, query.limit);
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

  async find(query: EventQuery): Promise<EventRecord[]> {
    const matching = this.events.filter(
      (e) =>
        (!query.types?.length || query.types.includes(e.type)) &&
        (!query.typePrefix || e.type.startsWith(query.typePrefix)) &&
        (!query.target || e.target === query.target) &&
        (query.afterSeq === undefined || e.seq > query.afterSeq) &&
        (!query.since || e.at >= query.since) &&
        (!query.seqs || query.seqs.includes(e.seq)),
    );
    const latest = query.afterSeq === undefined && query.since === undefined;
    return latest ? matching.slice(-query.limit) : matching.slice(0, query.limit);
  }

  async stats(): Promise<EventLogStats> {
    return { events: this.events.length, lastSeq: this.seq, sizeBytes: JSON.stringify(this.events).length, driver: this.driver };
  }
}
