import { describe, expect, it } from '@jest/globals';
import { parseIsoInstant } from './param-types.js';

describe('parseIsoInstant', () => {
  it.each([
    ['2026-01-15', '2026-01-15T00:00:00.000Z'],
    ['2026-01-15T08:30:00Z', '2026-01-15T08:30:00.000Z'],
    ['2026-01-15T08:30Z', '2026-01-15T08:30:00.000Z'],
    ['2026-01-15T08:30:00+02:00', '2026-01-15T06:30:00.000Z'],
    ['2026-01-15T08:30:00-0530', '2026-01-15T14:00:00.000Z'],
    ['2026-01-15T08:30:00.25Z', '2026-01-15T08:30:00.250Z'],
    ['2026-01-15 08:30:00z', '2026-01-15T08:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('%s is %s', (value, expected) => {
    expect(parseIsoInstant(value)?.toISOString()).toBe(expected);
  });

  it.each(['2026-01-15T08:30:00', '2025-02-29', '2026-02-30', '2026-13-01', '2026-01-15T24:00:00Z', '2026-01-15T08:30:00+24:00', 'soon', ''])(
    'rejects %j',
    (value) => {
      expect(parseIsoInstant(value)).toBeUndefined();
    },
  );
});
