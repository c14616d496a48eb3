import { describe, expect, it } from '@jest/globals';
import { companionPath, orphansPolicy } from './orphans.policy.js';
import { deletedPaths, file, NOW, overArray } from './test-files.js';

const plan = overArray(orphansPolicy.plan);
const files = (...paths: string[]) => paths.map((p) => file(p, { size: 10 }));

describe('orphans', () => {
  it('plans nothing for an empty target', () => {
    expect(plan([], { pattern: '*.json', companion: '{stem}.jpg' }, NOW)).toEqual({
      delete: [],
      bytes: 0,
      reason: expect.any(String),
      blocked: null,
      nextRunAt: null,
    });
  });

  it('deletes metadata whose image is missing and keeps the one whose image is present ({stem})', () => {
    const result = plan(files('001.json', '001.jpg', '004.json', '002.jpg'), { pattern: '*.json', companion: '{stem}.jpg' }, NOW);
    expect(deletedPaths(result)).toEqual(['004.json']);
    expect(result.bytes).toBe(10);
    expect(result.blocked).toBeNull();
    expect(result.nextRunAt).toBeNull();
    expect(result.reason).toBe('delete 1 file matching *.json without {stem}.jpg');
  });

  it('deletes a single orphan', () => {
    expect(deletedPaths(plan(files('only.json'), { pattern: '*.json', companion: '{stem}.jpg' }, NOW))).toEqual(['only.json']);
  });

  it('builds the companion from the whole name with {name}', () => {
    const result = plan(files('a.mp4', 'a.mp4.sha256', 'b.mp4', 'b.sha256'), { pattern: '*.mp4', companion: '{name}.sha256' }, NOW);
    expect(deletedPaths(result)).toEqual(['b.mp4']);
  });

  it('builds the companion from the last extension with {ext}', () => {
    const result = plan(files('a.tar.gz', 'a.tar.gz.ok', 'b.tar.gz', 'b.tar.ok'), { pattern: '*.gz', companion: '{stem}.{ext}.ok' }, NOW);
    expect(deletedPaths(result)).toEqual(['b.tar.gz']);
  });

  it('looks for the companion in the candidate’s own directory only', () => {
    const target = files('2026/01/cam1.json', '2026/01/cam1.jpg', '2026/02/cam1.json', 'cam1.jpg', '2026/02/sub/cam1.jpg');
    expect(deletedPaths(plan(target, { pattern: '*.json', companion: '{stem}.jpg' }, NOW))).toEqual(['2026/02/cam1.json']);
  });

  it('resolves a companion template with a directory below the candidate', () => {
    const target = files('a/x.mp4', 'a/thumbs/x.jpg', 'a/y.mp4', 'a/y.jpg');
    expect(deletedPaths(plan(target, { pattern: '*.mp4', companion: 'thumbs/{stem}.jpg' }, NOW))).toEqual(['a/y.mp4']);
  });

  it('matches a pattern with "/" against the relative path', () => {
    const target = files('meta/a.json', 'other/b.json', 'meta/deep/c.json');
    expect(deletedPaths(plan(target, { pattern: 'meta/*.json', companion: '{stem}.jpg' }, NOW))).toEqual(['meta/a.json']);
  });

  it('deletes orphans in path order', () => {
    const target = files('c.json', 'a/z.json', 'B.json', 'b.json');
    const result = plan(target, { pattern: '*.json', companion: '{stem}.jpg' }, NOW);
    expect(deletedPaths(result)).toEqual(['B.json', 'a/z.json', 'b.json', 'c.json']);
  });

  it('counts a companion that is itself protected or young as present', () => {
    const target = [file('a.json'), file('a.jpg', { ageSeconds: 1 }), file('b.json'), file('keep/b.jpg')];
    const params = { pattern: '*.json', companion: '{stem}.jpg', exclude: 'keep/**' };
    expect(deletedPaths(plan(target, params, NOW))).toEqual(['b.json']);
  });

  it('applies the common rules: young orphans wait, exclude protects, include narrows', () => {
    const target = [
      file('young.json', { ageSeconds: 59 }),
      file('ripe.json', { ageSeconds: 60 }),
      file('keep/old.json'),
      file('other/old.json'),
    ];
    const base = { pattern: '*.json', companion: '{stem}.jpg' };
    expect(deletedPaths(plan(target, base, NOW))).toEqual(['keep/old.json', 'other/old.json', 'ripe.json']);
    expect(deletedPaths(plan(target, { ...base, exclude: 'keep/**' }, NOW))).toEqual(['other/old.json', 'ripe.json']);
    expect(deletedPaths(plan(target, { ...base, include: 'other/**' }, NOW))).toEqual(['other/old.json']);
    expect(deletedPaths(plan(target, { ...base, min_age_seconds: 0 }, NOW))).toEqual([
      'keep/old.json',
      'other/old.json',
      'ripe.json',
      'young.json',
    ]);
  });
});

describe('companionPath', () => {
  it.each([
    ['a.tar.gz', '{stem}', 'a.tar'],
    ['a.tar.gz', '{ext}', 'gz'],
    ['a.tar.gz', '{name}', 'a.tar.gz'],
    ['README', '{stem}.md', 'README.md'],
    ['README', 'x{ext}', 'x'],
    ['.env', '{stem}.bak', '.env.bak'],
    ['d/e/f.json', '{stem}.jpg', 'd/e/f.jpg'],
    ['d/f.json', './{stem}.jpg', 'd/f.jpg'],
    ['d/f.json', 'thumbs/{stem}-{ext}.jpg', 'd/thumbs/f-json.jpg'],
  ])('%s with %s is %s', (path, template, expected) => {
    expect(companionPath(path, template)).toBe(expected);
  });
});
