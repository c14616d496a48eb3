import { describe, expect, it } from '@jest/globals';
import {
  commonRules,
  describeProtected,
  distinctBytes,
  formatBytes,
  globMatcher,
  isCandidate,
  sortForDeletion,
  sortKeyParam,
} from './candidates.js';
import { file, NOW } from './test-files.js';

const paths = (files: readonly { path: string }[]): string[] => files.map((f) => f.path);

describe('globMatcher', () => {
  it('is null when there is no glob', () => {
    expect(globMatcher(undefined)).toBeNull();
    expect(globMatcher([])).toBeNull();
  });

  it('matches a pattern without "/" against the basename at any depth', () => {
    const match = globMatcher('*.tmp')!;
    expect(['x.tmp', 'a/x.tmp', 'a/b/c/x.tmp', 'a/x.tmp.keep'].map(match)).toEqual([true, true, true, false]);
  });

  it('matches a pattern with "/" against the whole relative path', () => {
    const match = globMatcher('cache/*.tmp')!;
    expect(['cache/x.tmp', 'x.tmp', 'a/cache/x.tmp', 'cache/sub/x.tmp'].map(match)).toEqual([true, false, false, false]);
    expect(globMatcher('cache/**')!('cache/sub/x.tmp')).toBe(true);
  });

  it('accepts a list: any pattern matching is a match', () => {
    const match = globMatcher(['*.log', 'keep/**'])!;
    expect(['a/b.log', 'keep/x.mp4', 'other/x.mp4'].map(match)).toEqual([true, true, false]);
  });

  it('matches dotfiles', () => {
    expect(globMatcher('*')!('a/.hidden')).toBe(true);
    expect(globMatcher('**/*.part')!('.cache/x.part')).toBe(true);
  });
});

describe('isCandidate', () => {
  it('needs 60 seconds since modification by default: a file may still be being written', () => {
    const rules = commonRules({});
    expect(isCandidate(file('young', { ageSeconds: 59 }), rules, NOW)).toBe(false);
    expect(isCandidate(file('ripe', { ageSeconds: 60 }), rules, NOW)).toBe(true);
  });

  it('honours min_age_seconds, including 0', () => {
    expect(isCandidate(file('a', { ageSeconds: 0 }), commonRules({ min_age_seconds: 0 }), NOW)).toBe(true);
    expect(isCandidate(file('a', { ageSeconds: 3599 }), commonRules({ min_age_seconds: 3600 }), NOW)).toBe(false);
  });

  it('never accepts a file modified in the future', () => {
    expect(isCandidate(file('a', { ageSeconds: -10 }), commonRules({ min_age_seconds: 0 }), NOW)).toBe(false);
  });

  it('lets exclude protect a file even when include names it', () => {
    const rules = commonRules({ include: '*.mp4', exclude: 'keep/**' });
    expect(isCandidate(file('keep/a.mp4'), rules, NOW)).toBe(false);
    expect(isCandidate(file('cam/a.mp4'), rules, NOW)).toBe(true);
    expect(isCandidate(file('cam/a.jpg'), rules, NOW)).toBe(false);
  });
});

describe('sortForDeletion', () => {
  const files = [
    file('b', { size: 10, ageSeconds: 100, ctimeAgeSeconds: 300 }),
    file('a', { size: 30, ageSeconds: 200, ctimeAgeSeconds: 100 }),
    file('c', { size: 20, ageSeconds: 300, ctimeAgeSeconds: 200 }),
  ];

  it.each([
    ['mtime', ['c', 'a', 'b']],
    ['ctime', ['b', 'c', 'a']],
    ['size', ['a', 'c', 'b']],
  ] as const)('orders by %s', (sortBy, expected) => {
    expect(paths(sortForDeletion(files, sortBy))).toEqual(expected);
  });

  it('breaks ties by path with a plain string compare', () => {
    const tied = ['b', 'a/z', 'B', 'a'].map((p) => file(p, { size: 5, ageSeconds: 100 }));
    for (const sortBy of ['mtime', 'ctime', 'size'] as const) {
      expect(paths(sortForDeletion(tied, sortBy))).toEqual(['B', 'a', 'a/z', 'b']);
    }
  });

  it('defaults sort_by to mtime', () => {
    expect(sortKeyParam({})).toBe('mtime');
    expect(sortKeyParam({ sort_by: 'size' })).toBe('size');
  });
});

describe('hard links', () => {
  it('counts an inode once however many paths lead to it', () => {
    const files = [file('a', { size: 100, ino: 7, nlink: 2 }), file('b', { size: 100, ino: 7, nlink: 2 }), file('c', { size: 5 })];
    expect(distinctBytes(files)).toBe(105);
  });

  it('tells inodes of different devices apart', () => {
    expect(distinctBytes([file('a', { size: 100, ino: 7, dev: 1 }), file('b', { size: 100, ino: 7, dev: 2 })])).toBe(200);
  });

  it('treats an entry without an inode number as its own inode', () => {
    expect(distinctBytes([file('a', { size: 100, ino: 0 }), file('b', { size: 100, ino: 0 })])).toBe(200);
  });
});

describe('describeProtected', () => {
  it('names why files are not deletable', () => {
    const rules = commonRules({ include: ['*.mp4', '*.jpg'], exclude: '*.jpg' });
    const files = [file('a.jpg'), file('b.mp4', { ageSeconds: 1 }), file('c.txt'), file('d.mp4')];
    expect(describeProtected(files, rules, NOW)).toBe('1 excluded, 1 younger than min_age_seconds, 1 outside include');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1_250_000, '1.3 MB'],
    [5_000_000_000, '5.0 GB'],
  ])('%d is %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});
