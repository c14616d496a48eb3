import { describe, expect, it } from '@jest/globals';
import { emptyState, STATE_VERSION } from './state.model.js';
import { SnapshotVersionError, upcast, UPCASTERS, type StateV1 } from './state.upcasters.js';

const maintenance = { enabled: false, reason: null, since: null };

describe('state upcasting', () => {
  it('has one step for every version below the current one', () => {
    for (let version = 1; version < STATE_VERSION; version++) expect(typeof UPCASTERS[version]).toBe('function');
  });

  it('leaves a current snapshot as it is', () => {
    const state = { ...emptyState(), maintenance: { enabled: true, reason: 'r', since: 's' } };
    expect(upcast(STATE_VERSION, state)).toBe(state);
  });

  it('v1 → v2: cleanups, failures and blocked of one target become that target\'s record', () => {
    const blocked = { since: 's', reason: 'too young', over_by: 3, unit: 'files' as const };
    const lastCleanup = { at: 'a', trigger: 'sweep', files_removed: 2, bytes_freed: 20 };
    const v1: StateV1 = {
      registrations: {},
      maintenance,
      cleanups: { 'v:/a': lastCleanup },
      failures: { 'v:/a': 1, 'v:/b': 2 },
      blocked: { 'v:/c': blocked },
    };
    expect(UPCASTERS[1]!(v1 as never)).toEqual({
      registrations: {},
      maintenance,
      targets: {
        'v:/a': { last_cleanup: lastCleanup, failures: 1, blocked: null },
        'v:/b': { last_cleanup: null, failures: 2, blocked: null },
        'v:/c': { last_cleanup: null, failures: 0, blocked },
      },
    });
  });

  it('v2 → v3: every target and filesystem starts in the ok tier, other facts kept', () => {
    const record = { last_cleanup: null, failures: 2, blocked: null };
    expect(UPCASTERS[2]!({ registrations: {}, maintenance, targets: { 'v:/a': record } } as never)).toEqual({
      registrations: {},
      maintenance,
      targets: { 'v:/a': { ...record, tier: 'ok', tier_since: null } },
      filesystems: {},
      alerts: { active: {}, lastSent: {}, outbox: {}, failingChannels: {} },
      forecasts: {},
    });
  });

  it('v3 → v4: an active alert is keyed by its tier too, everything else kept', () => {
    const active = { id: 'a1', tier: 'critical' as const, since: '2026-12-01T00:00:00.000Z', sent: true, last_sent_at: '2026-12-01T00:00:00.000Z', message: null };
    const v3 = {
      registrations: {}, maintenance, targets: {}, filesystems: {}, forecasts: {},
      alerts: { active: { 'filesystem:/srv|filesystem_tier': active }, lastSent: { 'filesystem:/srv|filesystem_tier|critical|firing': active.since }, outbox: {}, failingChannels: {} },
    };
    expect(UPCASTERS[3]!(v3 as never)).toEqual({
      ...v3,
      alerts: { ...v3.alerts, active: { 'filesystem:/srv|filesystem_tier|critical': active } },
    });
  });

  it('v1 all the way to the current version', () => {
    const v1: StateV1 = { registrations: {}, maintenance, cleanups: {}, failures: { 'v:/a': 1 }, blocked: {} };
    const current = upcast(1, v1);
    expect(current.targets['v:/a']).toMatchObject({ failures: 1, tier: 'ok' });
    expect(current.filesystems).toEqual({});
  });

  it('runs the steps in order, one version at a time', () => {
    const steps = { 1: (s: never) => ({ ...(s as object), v2: true }), 2: (s: never) => ({ ...(s as object), v3: (s as { v2?: boolean }).v2 === true }) };
    expect(upcast(1, { v1: true }, 3, steps)).toEqual({ v1: true, v2: true, v3: true });
    expect(upcast(2, { v1: true }, 3, steps)).toEqual({ v1: true, v3: false });
  });

  it('refuses a snapshot from a newer release, naming both versions', () => {
    expect(() => upcast(STATE_VERSION + 1, {})).toThrow(SnapshotVersionError);
    expect(() => upcast(STATE_VERSION + 1, {})).toThrow(`version ${STATE_VERSION + 1}, written by a newer release`);
  });

  it('refuses a snapshot whose chain has a missing step or whose version is invalid', () => {
    expect(() => upcast(1, {}, 3, { 1: (s: never) => s })).toThrow('No upcaster from state version 2 to 3');
    expect(() => upcast(0, {})).toThrow(SnapshotVersionError);
    expect(() => upcast(1.5, {})).toThrow(SnapshotVersionError);
  });
});
