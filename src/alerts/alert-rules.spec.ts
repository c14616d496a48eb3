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

describe("alertIntents for the manager's own storage", () => {
  it("raises a critical alert when the manager's disk is full, naming the directory, and resolves it when space returns", () => {
    const full = { seq: 3, at, type: 'state.disk_full', target: null, payload: { path: '/data', available_bytes: 0, reserve_bytes: 33554432, error: 'SQLITE_FULL' } } as EventRecord;
    const [intent, ...rest] = alertIntents(full);
    expect(rest).toEqual([]);
    expect(intent).toMatchObject({ action: 'raise', scope: 'manager:disk', kind: 'manager_storage', tier: 'critical' });
    expect(intent?.content.title).toBe("[CRITICAL] Storage manager's disk (/data) cannot take writes");
    expect(intent?.content.text).toMatch(/SQLITE_FULL.*\nCleanups go on and are recorded/);
    const recovered = { seq: 4, at, type: 'state.disk_recovered', target: null, payload: { path: '/data', available_bytes: 50_000_000, full_seconds: 30 } } as EventRecord;
    expect(alertIntents(recovered)).toEqual([expect.objectContaining({ action: 'resolve', scope: 'manager:disk', kind: 'manager_storage', tier: 'critical' })]);
  });

  it('raises and resolves the database outage once it is on record', () => {
    const down = { seq: 5, at, type: 'database.unavailable', target: null, payload: { since: at.toISOString(), error: 'connect ECONNREFUSED 127.0.0.1:5432' } } as EventRecord;
    expect(alertIntents(down)).toEqual([expect.objectContaining({ action: 'raise', scope: 'manager:database', kind: 'manager_storage', tier: 'critical' })]);
    const up = { seq: 9, at, type: 'database.available', target: null, payload: { unavailable_seconds: 30, spooled: 12, dropped: 0 } } as EventRecord;
    expect(alertIntents(up)).toEqual([expect.objectContaining({ action: 'resolve', scope: 'manager:database', kind: 'manager_storage' })]);
  });
});
