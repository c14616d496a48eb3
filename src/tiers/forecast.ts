/**
 * Growth and time until full, robust to what this product does to the series it forecasts.
 *
 * A volume whose cap a cleanup enforces goes up and down many times an hour (written up to its cap, cleaned
 * back): a least-squares line through a short window (Prometheus' `predict_linear`) sees each rise and calls
 * the disk "full in 2 hours" forever. So the method looks at the **upper envelope**, not the raw series: the
 * highest usage in each time bucket. A capped sawtooth has a flat envelope (every bucket holds a peak at the
 * cap); a leak under the sawtooth lifts the peaks. The rate is the **median of the envelope's bucket-to-bucket
 * slopes**: a one-off burst is one large slope among many zero ones and moves the median not at all, while
 * steady growth makes every slope the same. Two scales run side by side — 5-minute buckets over 2 hours (fast
 * growth is seen within half an hour) and hourly buckets over 24 hours (slow leaks) — each needing at least
 * MIN_BUCKETS buckets of history; time until full is the sooner of the two, from the latest envelope value.
 */

export interface Scale {
  readonly bucketMs: number;
  readonly buckets: number;
}

export const SCALES: readonly Scale[] = [
  { bucketMs: 5 * 60_000, buckets: 24 },
  { bucketMs: 3_600_000, buckets: 24 },
];
/** Buckets with data a scale needs before it forecasts anything. */
export const MIN_BUCKETS = 6;

export interface Forecast {
  /** Growth of the envelope in bytes per second (0 when flat or shrinking; null without enough history). */
  readonly bytesPerSecond: number | null;
  /** Seconds until `capacity` is reached at that growth; null when it is not growing (or no history). */
  readonly secondsUntilFull: number | null;
}

/** Keeps the per-bucket maxima of one series at every scale: constant memory, whatever the sample rate. */
export class GrowthTracker {
  private readonly rings: Array<Map<number, number>>;
  private readonly finestBucketMs: number;
  /** The last forecast: the same until a sample is added or the finest bucket turns (scrapes ask many times). */
  private memo: { adds: number; bucket: number; capacity: number; forecast: Forecast } | undefined;
  private adds = 0;

  constructor(private readonly scales: readonly Scale[] = SCALES) {
    this.rings = scales.map(() => new Map<number, number>());
    this.finestBucketMs = Math.min(...scales.map((scale) => scale.bucketMs));
  }

  add(atMs: number, value: number): void {
    this.adds++;
    this.scales.forEach((scale, i) => {
      const ring = this.rings[i]!;
      const bucket = Math.floor(atMs / scale.bucketMs);
      ring.set(bucket, Math.max(ring.get(bucket) ?? -Infinity, value));
      for (const key of ring.keys()) if (key <= bucket - scale.buckets) ring.delete(key);
    });
  }

  /** Growth and time until `capacity` as of `nowMs`. */
  forecast(capacity: number, nowMs: number): Forecast {
    const bucket = Math.floor(nowMs / this.finestBucketMs);
    const memo = this.memo;
    if (memo && memo.adds === this.adds && memo.bucket === bucket && memo.capacity === capacity) return memo.forecast;
    const forecast = this.compute(capacity, nowMs);
    this.memo = { adds: this.adds, bucket, capacity, forecast };
    return forecast;
  }

  private compute(capacity: number, nowMs: number): Forecast {
    let rate: number | null = null;
    let soonest: number | null = null;
    this.scales.forEach((scale, i) => {
      const estimate = envelopeRate(this.rings[i]!, scale, nowMs);
      if (!estimate) return;
      // The longer scale is the better figure for the rate; the sooner fill wins.
      rate = estimate.rate;
      if (estimate.rate <= 0) return;
      const seconds = Math.max(0, capacity - estimate.latest) / estimate.rate;
      soonest = soonest === null ? seconds : Math.min(soonest, seconds);
    });
    return { bytesPerSecond: rate === null ? null : Math.max(0, rate), secondsUntilFull: soonest };
  }
}

function envelopeRate(ring: Map<number, number>, scale: Scale, nowMs: number): { rate: number; latest: number } | undefined {
  const current = Math.floor(nowMs / scale.bucketMs);
  const buckets = [...ring.entries()].filter(([bucket]) => bucket > current - scale.buckets && bucket <= current).sort((a, b) => a[0] - b[0]);
  if (buckets.length < MIN_BUCKETS) return undefined;
  const slopes: number[] = [];
  for (let i = 1; i < buckets.length; i++) {
    const [b0, v0] = buckets[i - 1]!;
    const [b1, v1] = buckets[i]!;
    slopes.push((v1 - v0) / (((b1 - b0) * scale.bucketMs) / 1000));
  }
  return { rate: median(slopes), latest: buckets[buckets.length - 1]![1] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
