import { describe, expect, it } from '@jest/globals';
import { findPolicy, POLICIES, POLICY_NAMES } from './policy.registry.js';

const tally = (bytes: number, files: number) => ({ bytes, diskBytes: bytes, files });

describe('policy registry', () => {
  it('holds the four algorithms of the public contract, by name', () => {
    expect(POLICY_NAMES.sort()).toEqual(['keep_n_latest', 'max_size', 'orphans', 'remove_before_date']);
    for (const [name, policy] of Object.entries(POLICIES)) expect(policy.name).toBe(name);
    expect(findPolicy('toString')).toBeUndefined();
  });

  it('lets each capped policy say when a tally is over its cap', () => {
    const maxSize = findPolicy('max_size')!;
    expect(maxSize.overCap?.(tally(101, 1), { max_bytes: 100 })).toBe(true);
    expect(maxSize.overCap?.(tally(100, 1000), { max_bytes: 100 })).toBe(false);
    const keep = findPolicy('keep_n_latest')!;
    expect(keep.overCap?.(tally(1e9, 4), { keep_count: 3 })).toBe(true);
    expect(keep.overCap?.(tally(1e9, 3), { keep_count: 3 })).toBe(false);
  });

  it('gives age and orphan policies no cap: timers and sweeps run them', () => {
    expect(findPolicy('remove_before_date')!.overCap).toBeUndefined();
    expect(findPolicy('orphans')!.overCap).toBeUndefined();
  });
});
