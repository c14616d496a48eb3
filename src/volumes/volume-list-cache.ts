import { randomBytes } from 'node:crypto';

/**
 * Stands for "now" in a cached answer: the sizes read from a live index are "measured now", which changes every
 * second while the rest of the answer does not. Random per process, so no registration's text can spell it.
 */
export const NOW_PLACEHOLDER = `@@now-${randomBytes(12).toString('hex')}@@`;

/**
 * A serialised answer with its "now" fields cut out: stamping it with the current second costs one
 * Buffer.concat (≈ 0.1 ms for 300 KB), not a rebuild and a JSON.stringify (≈ 6 ms at 1,000 targets).
 */
export class StampedBody {
  private readonly segments: Buffer[];
  private last: { stamp: string; body: Buffer } | undefined;

  constructor(json: string) {
    this.segments = json.split(JSON.stringify(NOW_PLACEHOLDER)).map((part) => Buffer.from(part, 'utf8'));
  }

  /** The answer with every "now" field set to `stamp` (an ISO time). */
  body(stamp: string): Buffer {
    if (this.segments.length === 1) return this.segments[0]!;
    if (this.last?.stamp === stamp) return this.last.body;
    const glue = Buffer.from(JSON.stringify(stamp), 'utf8');
    const pieces: Buffer[] = [];
    this.segments.forEach((segment, i) => {
      if (i > 0) pieces.push(glue);
      pieces.push(segment);
    });
    const body = Buffer.concat(pieces);
    this.last = { stamp, body };
    return body;
  }
}

/** What an answer was built from; it stays valid while every part holds (the tallies within TALLY_STALENESS_MS). */
export interface ListingInputs {
  /** The state store's version: registrations, target records (tiers, last cleanup). */
  readonly state: number;
  /** VolumeUsageService's version: the background measurements. */
  readonly measurements: number;
  /** Monitors started, made ready or lost (a size switching between the index and a walk). */
  readonly monitors: number;
  /** The catalog as listed now, the filesystems' tiers, missing volumes' status, which targets have a tally. */
  readonly fingerprint: string;
  /** Tally changes seen (every batch of watch events of every target). */
  readonly tallies: number;
}

/** How old the sizes of a cached answer may be while tallies move: at most one rebuild a second under a busy writer. */
export const TALLY_STALENESS_MS = 1000;
const MAX_QUERIES = 32;

interface Entry {
  readonly inputs: ListingInputs;
  readonly builtAt: number;
  /** When the tallies in it were read (the stamp of its index sizes once a tally has moved since). */
  readonly readAt: string;
  readonly body: StampedBody;
}

/** Serialised answers per query, each kept while what it was built from holds. */
export class ListingCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * The cached answer for `query`, or undefined when it has to be built again: a change of structure
   * (registrations, measurements, monitors, the catalog) always; a tally change once the answer is
   * TALLY_STALENESS_MS old. `stampNow` is the current second; an answer whose tallies have moved since it was
   * built says when they were read instead.
   */
  get(query: string, inputs: ListingInputs, stampNow: string): Buffer | undefined {
    const entry = this.entries.get(query);
    if (!entry) return undefined;
    const held = entry.inputs;
    if (held.state !== inputs.state || held.measurements !== inputs.measurements || held.monitors !== inputs.monitors || held.fingerprint !== inputs.fingerprint) return undefined;
    if (held.tallies === inputs.tallies) return entry.body.body(stampNow);
    if (this.now() - entry.builtAt >= TALLY_STALENESS_MS) return undefined;
    return entry.body.body(entry.readAt);
  }

  put(query: string, inputs: ListingInputs, readAt: string, json: string): StampedBody {
    const body = new StampedBody(json);
    this.entries.delete(query);
    if (this.entries.size >= MAX_QUERIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(query, { inputs, builtAt: this.now(), readAt, body });
    return body;
  }
}
