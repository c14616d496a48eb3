import { describe, expect, it } from '@jest/globals';
import { overlapsProtectedDir } from './target-guard.js';
import { checkVolumeName, normaliseTargetPath } from './target-path.js';

describe('normaliseTargetPath', () => {
  it.each([
    ['/', '/'],
    ['', undefined],
    ['recordings', '/recordings'],
    ['/recordings/', '/recordings'],
    ['//a///b//', '/a/b'],
    ['/a/..', undefined],
    ['/a/./b', undefined],
    ['..', undefined],
    ['/a\0', undefined],
    [`/${'x'.repeat(255)}`, `/${'x'.repeat(255)}`],
    [`/${'x'.repeat(256)}`, undefined],
    ['/...', '/...'],
    ['/a..b', '/a..b'],
  ])('%j → %j', (value, expected) => {
    const result = normaliseTargetPath(value);
    expect('path' in result ? result.path : undefined).toBe(expected);
  });
});

describe('checkVolumeName', () => {
  it.each(['camera-footage', 'caddy_data', 'a', 'protected-container_logs', 'v1.2'])('accepts %s', (name) => {
    expect(checkVolumeName(name)).toBeUndefined();
  });
  it.each(['', '-a', '.a', 'a/b', 'a b', '..', 'x'.repeat(256)])('rejects %j', (name) => {
    expect(checkVolumeName(name)).toEqual(expect.any(String));
  });
});

describe('overlapsProtectedDir', () => {
  const data = '/srv/data';
  const volumes = '/srv/data/volumes';
  it.each([
    ['/', true],
    ['/srv', true],
    ['/srv/data', true],
    ['/srv/data/db', true],
    ['/srv/data/volumes/cam', false],
    ['/srv/data/volumes', false],
    ['/srv/datab', false],
    ['/other', false],
  ])('%s → %s', (target, expected) => {
    expect(overlapsProtectedDir(target, data, volumes)).toBe(expected);
  });
});
