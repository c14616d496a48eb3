import { describe, expect, it } from '@jest/globals';
import { maxSizePolicy } from './max-size.policy.js';
import { deletedPaths, file, HOUR, NOW, overArray } from './test-files.js';

const plan = overArray(maxSizePolicy.plan);

describe('max_size', () => {
  it('plans nothing for an empty target', () => {
    const result = plan([], { max_bytes: 0 }, NOW);
    expect(result).toEqual({ delete: [], bytes: 0, reason: expect.any(String), blocked: null, nextRunAt: null });
  });

  it('plans nothing when the target is exactly at max_bytes', () => {
    const files = [file('a', { size: 60 }), file('b', { size: 40 })];
    const result = plan(files, { max_bytes: 100 }, NOW);
    expect(deletedPaths(result)).toEqual([]);
    expect(result.blocked).toBeNull();
  });

  it('deletes the oldest file when one byte over', () => {
    const files = [file('new', { size: 60, ageSeconds: HOUR }), file('old', { size: 41, ageSeconds: 2 * HOUR })];
    const result = plan(files, { max_bytes: 100 }, NOW);
    expect(deletedPaths(result)).toEqual(['old']);
    expect(result.bytes).toBe(41);
    expect(result.blocked).toBeNull();
    expect(result.nextRunAt).toBeNull();
    expect(result.reason).toBe('101 B over max_bytes 100 B by 1 B: delete 1 file, oldest modified first');
  });

  it('deletes a single file when max_bytes is 0', () => {
    const result = plan([file('only', { size: 1 })], { max_bytes: 0 }, NOW);
    expect(deletedPaths(result)).toEqual(['only']);
    expect(result.blocked).toBeNull();
  });

  it('stops as soon as usage is within max_bytes, oldest modified first by default', () => {
    const files = [
      file('d', { size: 10, ageSeconds: 1 * HOUR }),
      file('b', { size: 10, ageSeconds: 3 * HOUR }),
      file('a', { size: 10, ageSeconds: 4 * HOUR }),
      file('c', { size: 10, ageSeconds: 2 * HOUR }),
    ];
    const result = plan(files, { max_bytes: 20 }, NOW);
    expect(deletedPaths(result)).toEqual(['a', 'b']);
    expect(result.bytes).toBe(20);
  });

  it('breaks ties by path', () => {
    const files = ['z', 'm', 'a'].map((p) => file(p, { size: 10, ageSeconds: HOUR }));
    expect(deletedPaths(plan(files, { max_bytes: 10 }, NOW))).toEqual(['a', 'm']);
  });

  it('orders by ctime when sort_by is ctime', () => {
    const files = [
      file('a', { size: 10, ageSeconds: 3 * HOUR, ctimeAgeSeconds: HOUR }),
      file('b', { size: 10, ageSeconds: 2 * HOUR, ctimeAgeSeconds: 3 * HOUR }),
      file('c', { size: 10, ageSeconds: HOUR, ctimeAgeSeconds: 2 * HOUR }),
    ];
    expect(deletedPaths(plan(files, { max_bytes: 10, sort_by: 'ctime' }, NOW))).toEqual(['b', 'c']);
    expect(deletedPaths(plan(files, { max_bytes: 10, sort_by: 'mtime' }, NOW))).toEqual(['a', 'b']);
  });

  it('deletes the largest first when sort_by is size, ties by path', () => {
    const files = [file('small', { size: 10 }), file('big-b', { size: 50 }), file('big-a', { size: 50 }), file('mid', { size: 30 })];
    const result = plan(files, { max_bytes: 35, sort_by: 'size' }, NOW);
    expect(deletedPaths(result)).toEqual(['big-a', 'big-b', 'mid']);
    expect(result.reason).toContain('largest first');
  });

  it('counts every file in usage but deletes only included ones', () => {
    const files = [file('logs/old.log', { size: 50, ageSeconds: 9 * HOUR }), file('cam/a.mp4', { size: 30 }), file('cam/b.mp4', { size: 30 })];
    expect(deletedPaths(plan(files, { max_bytes: 80, include: '*.mp4' }, NOW))).toEqual(['cam/a.mp4']);
    const result = plan(files, { max_bytes: 40, include: '*.mp4' }, NOW);
    expect(deletedPaths(result)).toEqual(['cam/a.mp4', 'cam/b.mp4']);
    expect(result.blocked).toEqual({ reason: expect.stringContaining('1 outside include'), overBy: 10, unit: 'bytes' });
  });

  it('never deletes an excluded file, and reports the target blocked when exclusions keep it over', () => {
    const files = [file('keep/old', { size: 80, ageSeconds: 9 * HOUR }), file('a', { size: 30, ageSeconds: 2 * HOUR })];
    const result = plan(files, { max_bytes: 50, exclude: 'keep/**' }, NOW);
    expect(deletedPaths(result)).toEqual(['a']);
    expect(result.blocked).toEqual({
      reason: 'still 30 B over max_bytes after deleting every deletable file (protected: 1 excluded)',
      overBy: 30,
      unit: 'bytes',
    });
  });

  it('never deletes a file younger than 60 seconds by default', () => {
    const files = [file('writing', { size: 100, ageSeconds: 59 }), file('done', { size: 100, ageSeconds: 60 })];
    const result = plan(files, { max_bytes: 50 }, NOW);
    expect(deletedPaths(result)).toEqual(['done']);
    expect(result.blocked).toEqual({ reason: expect.stringContaining('1 younger than min_age_seconds'), overBy: 50, unit: 'bytes' });
  });

  it('honours a custom min_age_seconds', () => {
    const files = [file('a', { size: 100, ageSeconds: 5 * 60 }), file('b', { size: 100, ageSeconds: 20 * 60 })];
    expect(deletedPaths(plan(files, { max_bytes: 0, min_age_seconds: 600 }, NOW))).toEqual(['b']);
    expect(deletedPaths(plan(files, { max_bytes: 0, min_age_seconds: 0 }, NOW))).toEqual(['b', 'a']);
  });

  it('still deletes every candidate when blocked', () => {
    const files = [file('y', { size: 500, ageSeconds: 1 }), file('a', { size: 10, ageSeconds: 2 * HOUR }), file('b', { size: 10 })];
    const result = plan(files, { max_bytes: 100 }, NOW);
    expect(deletedPaths(result)).toEqual(['a', 'b']);
    expect(result.bytes).toBe(20);
    expect(result.blocked?.overBy).toBe(400);
  });

  describe('hard links', () => {
    it('counts a multiply linked inode once in usage', () => {
      const files = [file('a', { size: 100, ino: 7, nlink: 2 }), file('b', { size: 100, ino: 7, nlink: 2 })];
      expect(deletedPaths(plan(files, { max_bytes: 100 }, NOW))).toEqual([]);
    });

    it('deletes every link of an inode together, since one link alone frees nothing', () => {
      const files = [
        file('x1', { size: 100, ino: 7, nlink: 2, ageSeconds: 3 * HOUR }),
        file('other', { size: 50, ageSeconds: 2 * HOUR }),
        file('x2', { size: 100, ino: 7, nlink: 2, ageSeconds: 3 * HOUR }),
        file('new', { size: 50, ageSeconds: HOUR }),
      ];
      const result = plan(files, { max_bytes: 150 }, NOW);
      expect(deletedPaths(result)).toEqual(['x1', 'x2']);
      expect(result.blocked).toBeNull();
    });

    it('skips an inode whose other link is protected: deleting its unprotected link could free nothing', () => {
      const files = [
        file('keep/x', { size: 100, ino: 7, nlink: 2, ageSeconds: 3 * HOUR }),
        file('x', { size: 100, ino: 7, nlink: 2, ageSeconds: 3 * HOUR }),
        file('a', { size: 50, ageSeconds: 2 * HOUR }),
      ];
      const result = plan(files, { max_bytes: 100, exclude: 'keep/**' }, NOW);
      expect(deletedPaths(result)).toEqual(['a']);
      expect(result.blocked).toBeNull();
    });

    it('reports the pinned inode as still over the cap', () => {
      const files = [
        file('keep/x', { size: 100, ino: 7, nlink: 2 }),
        file('x', { size: 100, ino: 7, nlink: 2 }),
      ];
      const result = plan(files, { max_bytes: 10, exclude: 'keep/**' }, NOW);
      expect(deletedPaths(result)).toEqual([]);
      expect(result.blocked?.overBy).toBe(90);
    });
  });
});
