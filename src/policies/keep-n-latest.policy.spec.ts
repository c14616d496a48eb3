import { describe, expect, it } from '@jest/globals';
import { keepNLatestPolicy } from './keep-n-latest.policy.js';
import { deletedPaths, file, HOUR, NOW, overArray } from './test-files.js';

const plan = overArray(keepNLatestPolicy.plan);

/** Files named by age: `h1` is one hour old, `h5` five hours old. */
const byAge = (...hours: number[]) => hours.map((h) => file(`h${h}`, { size: h, ageSeconds: h * HOUR }));

describe('keep_n_latest', () => {
  it('plans nothing for an empty target', () => {
    expect(plan([], { keep_count: 0 }, NOW)).toEqual({ delete: [], bytes: 0, reason: expect.any(String), blocked: null, nextRunAt: null });
  });

  it('plans nothing when the target holds exactly keep_count files', () => {
    const result = plan(byAge(1, 2, 3), { keep_count: 3 }, NOW);
    expect(deletedPaths(result)).toEqual([]);
    expect(result.blocked).toBeNull();
  });

  it('deletes the oldest file when one over', () => {
    const result = plan(byAge(2, 4, 1, 3), { keep_count: 3 }, NOW);
    expect(deletedPaths(result)).toEqual(['h4']);
    expect(result.bytes).toBe(4);
    expect(result.blocked).toBeNull();
    expect(result.nextRunAt).toBeNull();
    expect(result.reason).toBe('4 files, over keep_count 3 by 1: delete 1 file, oldest modified first');
  });

  it('deletes a single file when keep_count is 0', () => {
    expect(deletedPaths(plan(byAge(1), { keep_count: 0 }, NOW))).toEqual(['h1']);
  });

  it('deletes oldest first and keeps the newest', () => {
    expect(deletedPaths(plan(byAge(1, 5, 3, 2, 4), { keep_count: 2 }, NOW))).toEqual(['h5', 'h4', 'h3']);
  });

  it('breaks ties by path: the last paths are the ones kept', () => {
    const files = ['m', 'z', 'a'].map((p) => file(p, { ageSeconds: HOUR }));
    expect(deletedPaths(plan(files, { keep_count: 1 }, NOW))).toEqual(['a', 'm']);
  });

  it('keeps the most recently changed when sort_by is ctime', () => {
    const files = [
      file('a', { ageSeconds: 3 * HOUR, ctimeAgeSeconds: HOUR }),
      file('b', { ageSeconds: 2 * HOUR, ctimeAgeSeconds: 3 * HOUR }),
      file('c', { ageSeconds: HOUR, ctimeAgeSeconds: 2 * HOUR }),
    ];
    expect(deletedPaths(plan(files, { keep_count: 1, sort_by: 'ctime' }, NOW))).toEqual(['b', 'c']);
  });

  it('keeps the smallest and deletes the largest first when sort_by is size', () => {
    const files = [file('s', { size: 1 }), file('l', { size: 30 }), file('m', { size: 20 }), file('xl', { size: 40 })];
    const result = plan(files, { keep_count: 2, sort_by: 'size' }, NOW);
    expect(deletedPaths(result)).toEqual(['xl', 'l']);
    expect(result.bytes).toBe(70);
  });

  it('counts and deletes only included files when include is set', () => {
    const files = [
      file('a.mp4', { ageSeconds: 3 * HOUR }),
      file('b.mp4', { ageSeconds: 2 * HOUR }),
      file('x.log', { ageSeconds: 9 * HOUR }),
    ];
    const result = plan(files, { keep_count: 1, include: '*.mp4' }, NOW);
    expect(deletedPaths(result)).toEqual(['a.mp4']);
    expect(result.blocked).toBeNull();
  });

  it('never deletes an excluded file nor one of the latest in its place: the target is blocked', () => {
    const files = [
      file('keep/h4', { ageSeconds: 4 * HOUR }),
      file('h3', { ageSeconds: 3 * HOUR }),
      file('h2', { ageSeconds: 2 * HOUR }),
      file('h1', { ageSeconds: HOUR }),
    ];
    const result = plan(files, { keep_count: 2, exclude: 'keep/**' }, NOW);
    expect(deletedPaths(result)).toEqual(['h3']);
    expect(result.blocked).toEqual({
      reason: 'still 3 files after deleting every deletable file, over keep_count 2 (protected: 1 excluded)',
      overBy: 1,
      unit: 'files',
    });
  });

  it('never deletes a file younger than 60 seconds by default', () => {
    const files = [file('young', { ageSeconds: 59 }), file('ripe', { ageSeconds: 60 })];
    const result = plan(files, { keep_count: 0 }, NOW);
    expect(deletedPaths(result)).toEqual(['ripe']);
    expect(result.blocked).toEqual({
      reason: 'still 1 file after deleting every deletable file, over keep_count 0 (protected: 1 younger than min_age_seconds)',
      overBy: 1,
      unit: 'files',
    });
  });

  it('counts young files among the latest, so they push older files out', () => {
    const files = [file('new', { ageSeconds: 10 }), file('old', { ageSeconds: HOUR })];
    const result = plan(files, { keep_count: 1 }, NOW);
    expect(deletedPaths(result)).toEqual(['old']);
    expect(result.blocked).toBeNull();
  });

  it('honours a custom min_age_seconds', () => {
    const files = [file('a', { ageSeconds: 5 * 60 }), file('b', { ageSeconds: 20 * 60 })];
    expect(deletedPaths(plan(files, { keep_count: 0, min_age_seconds: 600 }, NOW))).toEqual(['b']);
    expect(deletedPaths(plan(files, { keep_count: 0, min_age_seconds: 0 }, NOW))).toEqual(['b', 'a']);
  });

  it('counts each hard link as a file', () => {
    const files = [file('a', { ino: 7, nlink: 2, ageSeconds: 2 * HOUR }), file('b', { ino: 7, nlink: 2, ageSeconds: 2 * HOUR }), file('c')];
    expect(deletedPaths(plan(files, { keep_count: 1 }, NOW))).toEqual(['a', 'b']);
  });
});
