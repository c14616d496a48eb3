import { describe, expect, it } from '@jest/globals';
import type { EventRecord } from '../event-log/event.types.js';
import { alertIntents } from './alert-rules.js';

const at = new Date('2026-03-01T12:00:00Z');

describe('alertIntents for the Docker Engine', () => {
  it('raises a warning when the Engine cannot be asked, naming it and why', () => {
    const event = { seq: 1, at, type: 'docker.unreachable', target: null, payload: { host: 'unix:///var/run/docker.sock', error: 'connect ENOENT /var/run/docker.sock' } } as EventRecord;
    const [intent, ...rest] = alertIntents(event);
    expect(rest).toEqual([]);
    expect(intent).toMatchObject({ action: 'raise', scope: 'docker', kind: 'docker_unreachable', tier: 'warning' });
    expect(intent?.content.title).toBe('[WARNING] Docker Engine unix:///var/run/docker.sock unreachable');
    expect(intent?.content.text).toMatch(/connect ENOENT .*\nNo registration is removed or made pending meanwhile/);
  });

  it('resolves it when the Engine answers again', () => {
    const event = { seq: 2, at, type: 'docker.reachable', target: null, payload: { host: 'tcp://proxy:2375', version: '20.10.24', api_version: '1.41', unreachable_seconds: 42 } } as EventRecord;
    expect(alertIntents(event)).toEqual([expect.objectContaining({ action: 'resolve', scope: 'docker', kind: 'docker_unreachable', tier: 'warning' })]);
  });
});
