import { describe, expect, it } from '@jest/globals';
import type { FileEntry } from '../measuring/file-entry.js';
import { removeBeforeDatePolicy } from './remove-before-date.policy.js';
import { DAY, deletedPaths, file, type FileOptions, HOUR, NOW, overArray } from './test-files.js';

const plan = overArray(removeBeforeDatePolicy.plan);

/** A file last modified at an absolute instant (NOW is 2026-03-01T12:00:00Z). */
function fileAt(path: string, iso: string, options: FileOptions = {}): FileEntry {
  return file(path, { ...options, ageSeconds: (NOW.getTime() - Date.parse(iso)) / 1000 });
}

const later = (ms: number): Date => new Date(NOW.getTime() + ms);

describe('remove_before_date', () => {
  it('plans nothing for an empty target', () => {
    expect(plan([], { max_age_days: 1 }, NOW)).toEqual({ delete: [], bytes: 0, reason: expect.any(String), blocked: null, nextRunAt: null });
    expect(plan([], { before_date: '2026-01-01' }, NOW).delete).toEqual([]);
  });

  describe('before_date', () => {
    const files = [
      fileAt('2100z', '2026-01-31T21:00:00Z', { size: 1 }),
      fileAt('2300z', '2026-01-31T23:00:00Z', { size: 2 }),
      fileAt('0100z', '2026-02-01T01:00:00Z', { size: 4 }),
    ];

    it('reads a date-time in UTC', () => {
      const result = plan(files, { before_date: '2026-02-01T00:00:00Z' }, NOW);
      expect(deletedPaths(result)).toEqual(['2100z', '2300z']);
      expect(result.bytes).toBe(3);
      expect(result.blocked).toBeNull();
      expect(result.nextRunAt).toBeNull();
      expect(result.reason).toBe('delete 2 files with mtime before 2026-02-01T00:00:00.000Z, oldest first');
    });

    it('honours the zone of a date-time: +02:00 midnight is 22:00 UTC the day before', () => {
      expect(deletedPaths(plan(files, { before_date: '2026-02-01T00:00:00+02:00' }, NOW))).toEqual(['2100z']);
    });

    it('reads a date-only value as midnight UTC', () => {
      expect(deletedPaths(plan(files, { before_date: '2026-02-01' }, NOW))).toEqual(['2100z', '2300z']);
    });

    it('keeps a file exactly at the threshold: only strictly older files go', () => {
      expect(deletedPaths(plan(files, { before_date: '2026-01-31T23:00:00Z' }, NOW))).toEqual(['2100z']);
    });

    it('deletes oldest first, ties by path, whatever order the files arrive in', () => {
      const mixed = [fileAt('c', '2026-01-03'), fileAt('b', '2026-01-01'), fileAt('a', '2026-01-03'), fileAt('d', '2026-01-02')];
      expect(deletedPaths(plan(mixed, { before_date: '2026-02-01' }, NOW))).toEqual(['b', 'd', 'a', 'c']);
    });

    it('schedules the next run when a file before the date is still too young', () => {
      const young = [file('young', { ageSeconds: 10 }), file('old', { ageSeconds: HOUR })];
      const result = plan(young, { before_date: '2026-03-02' }, NOW);
      expect(deletedPaths(result)).toEqual(['old']);
      expect(result.nextRunAt).toEqual(later(50_000));
    });

    it('does not schedule a run for files after the date: a fixed date never overtakes them', () => {
      expect(plan(files, { before_date: '2026-01-01' }, NOW).nextRunAt).toBeNull();
    });
  });

  describe('max_age_days', () => {
    it('accepts fractional days: 0.5 is twelve hours', () => {
      const files = [file('h13', { ageSeconds: 13 * HOUR }), file('h11', { ageSeconds: 11 * HOUR }), file('h14', { ageSeconds: 14 * HOUR })];
      const result = plan(files, { max_age_days: 0.5 }, NOW);
      expect(deletedPaths(result)).toEqual(['h14', 'h13']);
      expect(result.blocked).toBeNull();
    });

    it('sets nextRunAt to the first instant the oldest remaining file is strictly past the age', () => {
      const files = [file('d29', { ageSeconds: 29 * DAY }), file('d10', { ageSeconds: 10 * DAY }), file('d31', { ageSeconds: 31 * DAY })];
      const result = plan(files, { max_age_days: 30 }, NOW);
      expect(deletedPaths(result)).toEqual(['d31']);
      expect(result.nextRunAt).toEqual(later(DAY * 1000 + 1));
    });

    it('has no next run when nothing remains', () => {
      const result = plan([file('old', { ageSeconds: 2 * DAY })], { max_age_days: 1 }, NOW);
      expect(deletedPaths(result)).toEqual(['old']);
      expect(result.nextRunAt).toBeNull();
    });

    it('waits for min_age_seconds when it is longer than the age', () => {
      const files = [file('young', { ageSeconds: 30 })];
      const result = plan(files, { max_age_days: 0.0001 }, NOW);
      expect(deletedPaths(result)).toEqual([]);
      expect(result.nextRunAt).toEqual(later(30_000));
    });

    it('ignores excluded and out-of-scope files, for deletion and for the next run', () => {
      const files = [
        file('keep/old', { ageSeconds: 5 * DAY }),
        file('keep/soon', { ageSeconds: DAY - 60 }),
        file('a.log', { ageSeconds: 5 * DAY }),
        file('b.mp4', { ageSeconds: 5 * DAY }),
        file('c.mp4', { ageSeconds: DAY - HOUR }),
      ];
      const result = plan(files, { max_age_days: 1, include: '*.mp4', exclude: 'keep/**' }, NOW);
      expect(deletedPaths(result)).toEqual(['b.mp4']);
      expect(result.nextRunAt).toEqual(later(HOUR * 1000 + 1));
    });
  });

  describe('age_by', () => {
    const files = [
      file('touched', { ageSeconds: 10 * DAY, ctimeAgeSeconds: HOUR }),
      file('changed', { ageSeconds: 3 * DAY, ctimeAgeSeconds: 3 * DAY }),
    ];

    it('uses ctime when age_by is ctime', () => {
      const result = plan(files, { max_age_days: 2, age_by: 'ctime' }, NOW);
      expect(deletedPaths(result)).toEqual(['changed']);
      expect(result.nextRunAt).toEqual(later((2 * DAY - HOUR) * 1000 + 1));
      expect(result.reason).toContain('with ctime before');
    });

    it('uses mtime by default', () => {
      expect(deletedPaths(plan(files, { max_age_days: 2 }, NOW))).toEqual(['touched', 'changed']);
    });

    it('still waits for min_age_seconds on mtime when aging by ctime', () => {
      const fresh = [file('fresh', { ageSeconds: 20, ctimeAgeSeconds: 3 * DAY })];
      const result = plan(fresh, { max_age_days: 1, age_by: 'ctime' }, NOW);
      expect(deletedPaths(result)).toEqual([]);
      expect(result.nextRunAt).toEqual(later(40_000));
    });
  });

  it('never deletes a file younger than 60 seconds by default', () => {
    const files = [file('young', { ageSeconds: 59 }), file('ripe', { ageSeconds: 60 })];
    expect(deletedPaths(plan(files, { before_date: '2026-03-02T00:00:00Z' }, NOW))).toEqual(['ripe']);
    expect(deletedPaths(plan(files, { before_date: '2026-03-02T00:00:00Z', min_age_seconds: 0 }, NOW))).toEqual(['ripe', 'young']);
  });
});
