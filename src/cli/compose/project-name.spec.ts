import { describe, expect, it } from '@jest/globals';
import { normaliseProjectName, ProjectNameError, resolveProjectName } from './project-name.js';

const env = (values: Record<string, string>) => (name: string) => values[name];

describe('project name', () => {
  it('normalises a directory name as compose does', () => {
    expect(normaliseProjectName('My App.v2')).toBe('myappv2');
    expect(normaliseProjectName('__Camera-Stack_1')).toBe('camera-stack_1');
    expect(normaliseProjectName('...')).toBe('');
  });

  it('takes -p, then COMPOSE_PROJECT_NAME, then name:, then the directory', () => {
    const all = { flag: 'flag', lookup: env({ COMPOSE_PROJECT_NAME: 'fromenv' }), fileName: 'fromfile', projectDir: '/srv/Dir' };
    expect(resolveProjectName(all)).toEqual({ name: 'flag', source: '-p' });
    expect(resolveProjectName({ ...all, flag: undefined })).toEqual({ name: 'fromenv', source: 'COMPOSE_PROJECT_NAME' });
    expect(resolveProjectName({ ...all, flag: undefined, lookup: env({}) })).toEqual({ name: 'fromfile', source: 'name:' });
    expect(resolveProjectName({ projectDir: '/srv/My.Shop', lookup: env({ COMPOSE_PROJECT_NAME: '' }) })).toEqual({ name: 'myshop', source: 'directory' });
  });

  it('refuses an explicit name that is not valid, naming where it came from', () => {
    expect(() => resolveProjectName({ flag: 'My_App', lookup: env({}), projectDir: '/x' })).toThrow(
      new ProjectNameError('project name "My_App" (from -p) must contain only lowercase letters, digits, _ and -, and start with a letter or a digit'),
    );
    expect(() => resolveProjectName({ fileName: '_x', lookup: env({}), projectDir: '/x' })).toThrow('(from name:)');
    expect(() => resolveProjectName({ lookup: env({}), projectDir: '/srv/---' })).toThrow('gives no valid project name');
  });
});
