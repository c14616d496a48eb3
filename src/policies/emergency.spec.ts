import { describe, expect, it } from '@jest/globals';
import { emergencyPolicyOf } from './emergency.js';

describe('emergencyPolicyOf', () => {
  it('is undefined without an emergency param: the target is never touched in emergencies', () => {
    expect(emergencyPolicyOf('keep_n_latest', { keep_count: 100 })).toBeUndefined();
  });

  it('tightens the same algorithm: own params overridden, scope rules kept', () => {
    const result = emergencyPolicyOf('keep_n_latest', { keep_count: 100, sort_by: 'ctime', exclude: '*.keep', dry_run: true, emergency: { keep_count: 25 } });
    expect(result?.policy.name).toBe('keep_n_latest');
    expect(result?.params).toEqual({ keep_count: 25, sort_by: 'ctime', exclude: '*.keep' });
  });

  it('switches to another algorithm with only that one\'s params, the scope rules carried over unless set', () => {
    const result = emergencyPolicyOf('remove_before_date', { max_age_days: 30, include: '*.mp4', min_age_seconds: 10, emergency: { algorithm: 'max_size', max_bytes: 1000, min_age_seconds: 0 } });
    expect(result?.policy.name).toBe('max_size');
    expect(result?.params).toEqual({ include: '*.mp4', min_age_seconds: 0, max_bytes: 1000 });
  });
});
