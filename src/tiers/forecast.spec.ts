import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.mjs';
import { GrowthTracker } from './forecast.js';

const GB = 1e9;
const HOUR = 3_600_000;
const STEP = 30_000; // one sample every SM_MONITOR_INTERVAL_SECONDS (30 s)
const T0 = Date.parse('2026-03-01T00:00:00Z');
const CAPACITY = 1000 * GB;
const DAY_S = 86_400;

/** Feeds `usage(t)` every 30 s for `hours`, calling `check` every hour with the forecast then. */
function simulate(hours: number, usage: (hoursSinceStart: number) => number, check?: (hour: number, forecast: ReturnType<GrowthTracker['forecast']>, used: number) => void): GrowthTracker {
  const tracker = new GrowthTracker();
  for (let t = 0; t <= hours * HOUR; t += STEP) {
    const used = usage(t / HOUR);
    tracker.add(T0 + t, used);
    if (check && t % HOUR === 0) check(t / HOUR, tracker.forecast(CAPACITY, T0 + t), used);
  }
  return tracker;
}

describe('forecast', () => {
  it('says nothing without enough history', () => {
    const tracker = simulate(0.25, (h) => 100 * GB + h * 10 * GB);
    expect(tracker.forecast(CAPACITY, T0 + 0.25 * HOUR)).toEqual({ bytesPerSecond: null, secondsUntilFull: null });
  });

  it('steady growth: within 10% of the truth', () => {
    // 500 GB used, +20 GB/h: full in 25 h.
    const tracker = simulate(6, (h) => 500 * GB + h * 20 * GB);
    const { bytesPerSecond, secondsUntilFull } = tracker.forecast(CAPACITY, T0 + 6 * HOUR);
    const truth = (CAPACITY - 620 * GB) / ((20 * GB) / 3600);
    expect(bytesPerSecond! * 3600).toBeGreaterThan(18 * GB);
    expect(bytesPerSecond! * 3600).toBeLessThan(22 * GB);
    expect(Math.abs(secondsUntilFull! - truth) / truth).toBeLessThan(0.1);
  });

  it('fast growth is seen within an hour (the 5-minute scale)', () => {
    // +200 GB/h from 500 GB: full in 2.5 h.
    const tracker = simulate(0.75, (h) => 500 * GB + h * 200 * GB);
    const { secondsUntilFull } = tracker.forecast(CAPACITY, T0 + 0.75 * HOUR);
    const truth = 1.75 * 3600;
    expect(Math.abs(secondsUntilFull! - truth) / truth).toBeLessThan(0.1);
  });

  it('a one-off burst raises no 24-hour warning', () => {
    // Flat at 500 GB; at hour 10, 300 GB written within 10 minutes; flat again.
    let warned = false;
    simulate(30, (h) => 500 * GB + (h < 10 ? 0 : Math.min(1, (h - 10) * 6)) * 300 * GB, (_, forecast) => {
      if (forecast.secondsUntilFull !== null && forecast.secondsUntilFull < DAY_S) warned = true;
    });
    expect(warned).toBe(false);
  });

  it('a capped sawtooth (written to the cap, cleaned back, again and again) never warns', () => {
    // A camera target capped at 700 GB: grows 2 GB per minute, cleaned back 10 GB at each crossing.
    const random = seededRandom(7);
    let warned = false;
    let used = 690 * GB;
    const tracker = new GrowthTracker();
    for (let t = 0; t <= 48 * HOUR; t += STEP) {
      used += (1 + random()) * GB * (STEP / 60_000);
      if (used > 700 * GB) used -= 10 * GB;
      tracker.add(T0 + t, used);
      const { secondsUntilFull } = tracker.forecast(CAPACITY, T0 + t);
      if (secondsUntilFull !== null && secondsUntilFull < DAY_S) warned = true;
    }
    expect(warned).toBe(false);
    // The envelope is flat but for the noise of the peaks: no growth, or one too small to matter.
    const { secondsUntilFull } = tracker.forecast(CAPACITY, T0 + 48 * HOUR);
    expect(secondsUntilFull === null || secondsUntilFull > 7 * DAY_S).toBe(true);
  });

  it('a slow leak under a sawtooth is warned about before the disk fills', () => {
    // The same camera sawtooth, plus a log that leaks 10 GB/h: full in about 29 h.
    const random = seededRandom(11);
    let camera = 690 * GB;
    let warnedAt: number | undefined;
    let fullAt: number | undefined;
    const tracker = new GrowthTracker();
    for (let t = 0; t <= 48 * HOUR && fullAt === undefined; t += STEP) {
      camera += (1 + random()) * GB * (STEP / 60_000);
      if (camera > 700 * GB) camera -= 10 * GB;
      const used = camera + (t / HOUR) * 10 * GB;
      if (used >= CAPACITY) fullAt = t / HOUR;
      tracker.add(T0 + t, used);
      const { secondsUntilFull } = tracker.forecast(CAPACITY, T0 + t);
      if (warnedAt === undefined && secondsUntilFull !== null && secondsUntilFull < DAY_S) warnedAt = t / HOUR;
    }
    expect(fullAt).toBeDefined();
    expect(warnedAt).toBeDefined();
    // Warned a day ahead, give or take the hours the envelope needs to see the leak.
    expect(fullAt! - warnedAt!).toBeGreaterThan(20);
  });

  it('keeps constant memory: old buckets are dropped', () => {
    const tracker = simulate(200, (h) => h * GB);
    const rings = (tracker as unknown as { rings: Array<Map<number, number>> }).rings;
    expect(rings.map((r) => r.size)).toEqual([24, 24]);
  });
});
