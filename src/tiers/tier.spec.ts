import { describe, expect, it } from '@jest/globals';
import { tierOf, worstTier, type Fullness, type Tier, type TierThresholds } from './tier.js';

const thresholds: TierThresholds = { warningPct: 80, criticalPct: 90, emergencyPct: 95, hysteresisPct: 2 };
const at = (pct: number, inodePct = 0): Fullness => ({ bytesRatio: pct / 100, inodeRatio: inodePct / 100 });

/** Feeds readings one after another, as a sampler would, and returns the tier after each. */
function walk(readings: number[]): Tier[] {
  let tier: Tier = 'ok';
  return readings.map((pct) => (tier = tierOf(at(pct), thresholds, tier)));
}

describe('tierOf', () => {
  it.each([
    [0, 'ok'],
    [79.99, 'ok'],
    [80, 'warning'],
    [89.9, 'warning'],
    [90, 'critical'],
    [95, 'emergency'],
    [100, 'emergency'],
  ] as const)('without memory, %d%% used is %s', (pct, tier) => {
    expect(tierOf(at(pct), thresholds)).toBe(tier);
  });

  it('takes the worse of bytes and inodes: a disk full of tiny files is full', () => {
    expect(tierOf(at(10, 96), thresholds)).toBe('emergency');
    expect(tierOf(at(85, 50), thresholds)).toBe('warning');
  });

  it('enters a tier at its threshold but leaves it only the hysteresis below it', () => {
    expect(walk([80, 79, 78.5, 78, 77.9])).toEqual(['warning', 'warning', 'warning', 'ok', 'ok']);
  });

  it('does not flap while usage hovers around a threshold', () => {
    expect(walk([79.9, 80.1, 79.8, 80.2, 79.5, 80.0])).toEqual(['ok', 'warning', 'warning', 'warning', 'warning', 'warning']);
  });

  it('escalates at once, several tiers in one step', () => {
    expect(walk([50, 96])).toEqual(['ok', 'emergency']);
  });

  it('falls through the tiers that are left, stopping at the first one still held', () => {
    // From emergency: 92.5 is above critical's exit (88) but below emergency's (93).
    expect(walk([96, 92.5])).toEqual(['emergency', 'critical']);
    expect(walk([96, 60])).toEqual(['emergency', 'ok']);
    expect(walk([96, 78.5])).toEqual(['emergency', 'warning']);
  });

  it('with no hysteresis, leaves a tier as soon as usage is below its threshold', () => {
    expect(tierOf(at(79.9), { ...thresholds, hysteresisPct: 0 }, 'warning')).toBe('ok');
  });
});

describe('worstTier', () => {
  it('orders ok < warning < critical < emergency', () => {
    expect(worstTier('ok', 'warning')).toBe('warning');
    expect(worstTier('emergency', 'critical')).toBe('emergency');
    expect(worstTier('ok', 'ok')).toBe('ok');
  });
});
