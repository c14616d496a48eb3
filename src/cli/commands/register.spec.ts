import { describe, expect, it } from '@jest/globals';
import { POLICY_NAMES } from '../../policies/policy.registry.js';
import { registrationFromFlags } from './register-flags.js';
import { ALGORITHMS } from './register.js';

const flags = { volume: 'cam', path: 'rec/', algorithm: 'max_size', param: [] as string[] };

describe('register flags', () => {
  it('lists every policy in --help', () => {
    expect([...ALGORITHMS]).toEqual([...POLICY_NAMES]);
  });

  it('types --param values as labels are typed, emergency.<param> included', () => {
    const { input, problems } = registrationFromFlags({ ...flags, param: ['max_bytes=5368709120', 'sort_by=size', 'emergency.max_bytes=10', 'include=["*.mp4"]'], description: 'x' });
    expect(problems).toEqual([]);
    expect(input).toEqual({
      volume_name: 'cam',
      path: '/rec',
      algorithm: 'max_size',
      params: { max_bytes: 5368709120, sort_by: 'size', include: ['*.mp4'], emergency: { max_bytes: 10 } },
      description: 'x',
    });
  });

  it('names each bad flag', () => {
    const { input, problems } = registrationFromFlags({ ...flags, volume: '-bad', param: ['max_bytes=lots', 'path=/x', '=1'] });
    expect(input).toBeUndefined();
    expect(problems).toEqual([
      '--param "path=/x": must be name=value with the name of a param (max_bytes=5368709120, emergency.keep_count=25)',
      '--param "=1": must be name=value with the name of a param (max_bytes=5368709120, emergency.keep_count=25)',
      expect.stringMatching(/^--volume: volume_name must start with a letter or digit/),
      expect.stringMatching(/^--param max_bytes: params\.max_bytes /),
    ]);
  });
});
