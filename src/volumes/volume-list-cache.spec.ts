import { describe, expect, it } from '@jest/globals';
import { ListingCache, NOW_PLACEHOLDER, TALLY_STALENESS_MS, type ListingInputs } from './volume-list-cache.js';

const INPUTS: ListingInputs = { state: 7, measurements: 3, monitors: 1, fingerprint: '["cams"]', tallies: 10 };
const T0 = '2026-01-15T08:30:00Z';
const T1 = '2026-01-15T08:30:01Z';

function answer(bytes: number): string {
  return JSON.stringify([{ volume_name: 'cams', current_bytes: bytes, current_bytes_measured_at: NOW_PLACEHOLDER, description: 'says "now"' }]);
}

function parsed(body: Buffer | undefined): unknown {
  return body === undefined ? undefined : JSON.parse(body.toString('utf8'));
}

describe('ListingCache', () => {
  it('answers the kept text with every "now" field set to the current second', () => {
    let now = 0;
    const cache = new ListingCache(() => now);
    cache.put('q', INPUTS, T0, answer(5));
    expect(parsed(cache.get('q', INPUTS, T0))).toEqual([{ volume_name: 'cams', current_bytes: 5, current_bytes_measured_at: T0, description: 'says "now"' }]);
    now = 60_000;
    expect(parsed(cache.get('q', INPUTS, T1))).toEqual([expect.objectContaining({ current_bytes: 5, current_bytes_measured_at: T1 })]);
  });

  it('builds again at once for any change of structure: registrations, measurements, monitors, the catalog', () => {
    const cache = new ListingCache(() => 0);
    cache.put('q', INPUTS, T0, answer(5));
    for (const changed of [{ state: 8 }, { measurements: 4 }, { monitors: 2 }, { fingerprint: '["cams","logs"]' }]) {
      expect(cache.get('q', { ...INPUTS, ...changed }, T0)).toBeUndefined();
    }
    expect(cache.get('other query', INPUTS, T0)).toBeUndefined();
  });

  it('keeps an answer for up to a second of tally changes, saying when its sizes were read, then builds again', () => {
    let now = 0;
    const cache = new ListingCache(() => now);
    cache.put('q', INPUTS, T0, answer(5));
    const moved = { ...INPUTS, tallies: 11 };
    now = TALLY_STALENESS_MS - 1;
    expect(parsed(cache.get('q', moved, T1))).toEqual([expect.objectContaining({ current_bytes: 5, current_bytes_measured_at: T0 })]);
    now = TALLY_STALENESS_MS;
    expect(cache.get('q', moved, T1)).toBeUndefined();
  });

  it('leaves an answer without "now" fields as it was built', () => {
    const cache = new ListingCache(() => 0);
    const json = JSON.stringify([{ volume_name: 'cams', current_bytes: null }]);
    cache.put('q', INPUTS, T0, json);
    expect(cache.get('q', INPUTS, T1)?.toString('utf8')).toBe(json);
  });
});
