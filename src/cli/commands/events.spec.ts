import { describe, expect, it } from '@jest/globals';
import { summary } from './events.js';

type Item = Parameters<typeof summary>[0];
const item = (type: string, payload: Record<string, unknown>): Item => ({ seq: 7, at: '2026-12-01T12:00:00Z', type, target: 'cam:/rec', payload });

describe('storage-manager events: one line per fault event', () => {
  it('says what an interrupted run had deleted of its plan', () => {
    expect(summary(item('cleanup.interrupted', { trigger: 'threshold', files: 3_400, planned_files: 11_990, bytes: 340_000 }))).toBe(
      'threshold: interrupted, 3400 of 11990 planned files had been deleted, 340.0 kB',
    );
  });

  it("says which disk filled and what the reserve gave back, and what the spool wrote once the database was back", () => {
    expect(summary(item('state.disk_full', { path: '/data', reserve_bytes: 33_554_432, available_bytes: 0 }))).toBe('/data: full, reserve of 33.6 MB released');
    expect(summary(item('database.available', { unavailable_seconds: 31, spooled: 575, dropped: 0 }))).toBe('after 31 s: 575 spooled events written');
    expect(summary(item('database.available', { unavailable_seconds: 31, spooled: 100, dropped: 4 }))).toBe('after 31 s: 100 spooled events written, 4 dropped');
  });
});
