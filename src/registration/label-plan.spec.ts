import { describe, expect, it } from '@jest/globals';
import type { Registration } from '../state/state.model.js';
import { targetKey } from '../state/state.model.js';
import { labelContainer, planLabelRegistrations, resolveVolume, type LabelContainer, type PlanMemory } from './label-plan.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
let created = 0;

function container(name: string, labels: Record<string, string>, volumes: string[] = [], extra: Partial<LabelContainer> = {}): LabelContainer {
  return { id: `id-${name}`, name, createdAt: new Date(T0 + created++ * 1000), labels, mounts: volumes.map((volume) => ({ volume, subpath: '/' })), ...extra };
}

function labels(index: number, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [`storage-manager.${index}.${k}`, v]));
}

function registration(volume: string, path: string, extra: Partial<Registration> = {}): Registration {
  return {
    id: `reg-${volume}-${path}`,
    volume_name: volume,
    path,
    algorithm: 'keep_n_latest',
    params: { keep_count: 10 },
    description: null,
    source: 'label',
    owner: null,
    status: 'active',
    quarantine: null,
    created_at: new Date(T0).toISOString(),
    updated_at: new Date(T0).toISOString(),
    ...extra,
  };
}

function state(...list: Registration[]): Record<string, Registration> {
  return Object.fromEntries(list.map((r) => [targetKey(r.volume_name, r.path), r]));
}

const keep10 = { algorithm: 'keep_n_latest', keep_count: '10' };
const memory = (goneSince: Record<string, number> = {}, now = T0, lastLabels: Record<string, Record<string, string>> = {}): PlanMemory => ({
  now,
  goneSince: new Map(Object.entries(goneSince)),
  lastLabels: new Map(Object.entries(lastLabels)),
  graceMs: 5000,
});

describe('planLabelRegistrations', () => {
  it('registers seed 000\'s camera-app labels as two registrations owned by the container, typed as the API types them', () => {
    const camera = container(
      'camera-app',
      {
        ...labels(0, { volume: 'camera-footage', path: '/recordings', algorithm: 'max_size', max_bytes: '5368709120', sort_by: 'mtime' }),
        ...labels(1, { volume: 'camera-footage', path: '/snapshots', algorithm: 'keep_n_latest', keep_count: '100' }),
      },
      ['camera-footage'],
    );
    const plan = planLabelRegistrations([camera], {});
    expect(plan.reports).toEqual([]);
    expect(plan.upserts.map((u) => [u.claim.container.name, u.claim.index, u.claim.input, u.replaces])).toEqual([
      ['camera-app', '0', { volume_name: 'camera-footage', path: '/recordings', algorithm: 'max_size', params: { max_bytes: 5368709120, sort_by: 'mtime' }, description: null }, undefined],
      ['camera-app', '1', { volume_name: 'camera-footage', path: '/snapshots', algorithm: 'keep_n_latest', params: { keep_count: 100 }, description: null }, undefined],
    ]);
  });

  it('resolves a compose-level volume name through the project label and the container\'s mounts; the Engine name works too', () => {
    const compose = { 'com.docker.compose.project': 'protected-container', 'com.docker.compose.service': 'app' };
    const byCompose = container('app-1', { ...compose, ...labels(0, { volume: 'logs', path: '/', algorithm: 'remove_before_date', max_age_days: '14' }) }, ['protected-container_logs']);
    const byEngine = container('app-2', { ...compose, ...labels(0, { volume: 'protected-container_logs', path: '/old', algorithm: 'remove_before_date', max_age_days: '30' }) }, ['protected-container_logs']);
    const plan = planLabelRegistrations([byCompose, byEngine], {});
    expect(plan.reports).toEqual([]);
    expect(plan.upserts.map((u) => [u.claim.input.volume_name, u.claim.input.path])).toEqual([
      ['protected-container_logs', '/'],
      ['protected-container_logs', '/old'],
    ]);
    // The exact name wins over the project's when the container mounts both.
    expect(resolveVolume('logs', container('both', compose, ['logs', 'protected-container_logs']))?.volume).toBe('logs');
  });

  it('refuses, by the trust rule, a volume the container does not mount; its other indexes still apply', () => {
    const intruder = container(
      'intruder',
      {
        'com.docker.compose.project': 'shop',
        ...labels(0, { volume: 'mine', path: '/', ...keep10 }),
        ...labels(1, { volume: 'payroll', path: '/', algorithm: 'max_size', max_bytes: '0' }),
      },
      ['mine'],
    );
    const plan = planLabelRegistrations([intruder], {});
    expect(plan.upserts.map((u) => u.claim.input.volume_name)).toEqual(['mine']);
    expect(plan.reports).toEqual([
      expect.objectContaining({ kind: 'refused', container: 'intruder', index: '1', volume: 'payroll', field: 'volume_name', reason: expect.stringMatching(/does not mount volume "payroll" \(nor "shop_payroll"\)/) }),
    ]);
  });

  it('honours only paths under the volume subdirectory a container bind-mounts', () => {
    const engineContainer = {
      id: 'c1',
      name: 'cache',
      labels: { ...labels(0, { volume: 'shared', path: '/app/cache', ...keep10 }), ...labels(1, { volume: 'shared', path: '/other', ...keep10 }) },
      mounts: [{ type: 'bind', name: null, source: '/var/lib/docker/volumes/shared/_data/app', destination: '/cache' }],
      state: 'running',
      createdAt: new Date(T0),
    };
    const volumes = [{ name: 'shared', driver: 'local', mountpoint: '/var/lib/docker/volumes/shared/_data', createdAt: null, labels: {}, options: {}, scope: 'local' }];
    const resolved = labelContainer(engineContainer, volumes);
    expect(resolved.mounts).toEqual([{ volume: 'shared', subpath: '/app' }]);
    const plan = planLabelRegistrations([resolved], {});
    expect(plan.upserts.map((u) => u.claim.input.path)).toEqual(['/app/cache']);
    expect(plan.reports).toEqual([expect.objectContaining({ kind: 'refused', index: '1', field: 'path', reason: expect.stringMatching(/mounts only \/app of volume "shared"/) })]);
  });

  it('reports an invalid label naming container, index, label and field; the valid index applies', () => {
    const app = container('app', { ...labels(0, { volume: 'data', path: '/', algorithm: 'max_size', max_bytes: 'lots' }), ...labels(1, { volume: 'data', path: '/b', ...keep10 }) }, ['data']);
    const plan = planLabelRegistrations([app], {});
    expect(plan.upserts.map((u) => u.claim.index)).toEqual(['1']);
    expect(plan.reports).toEqual([
      expect.objectContaining({ kind: 'invalid', container: 'app', index: '0', label: 'storage-manager.0.max_bytes', field: 'params.max_bytes' }),
    ]);
  });

  it('ignores containers without storage-manager labels', () => {
    const plan = planLabelRegistrations([container('plain', { 'com.docker.compose.project': 'x' }, ['data'])], {});
    expect(plan).toMatchObject({ upserts: [], removals: [], reports: [], labelled: 0 });
  });

  it('leaves a registration alone when its container is unchanged, and updates it when the container is recreated with other labels', () => {
    const existing = registration('data', '/', { owner: 'app' });
    const same = planLabelRegistrations([container('app', labels(0, { volume: 'data', path: '/', ...keep10 }), ['data'])], state(existing));
    expect(same.upserts).toEqual([]);
    expect(same.removals).toEqual([]);
    const recreated = planLabelRegistrations([container('app', labels(0, { volume: 'data', path: '/', algorithm: 'keep_n_latest', keep_count: '20' }), ['data'], { id: 'new-id' })], state(existing));
    expect(recreated.upserts.map((u) => [u.claim.input.params, u.replaces])).toEqual([[{ keep_count: 20 }, { id: existing.id, owner: 'app' }]]);
  });

  it('keeps a stopped container\'s registrations; removes them once no container of that name has existed for the grace', () => {
    const existing = registration('data', '/', { owner: 'app' });
    const stopped = container('app', labels(0, { volume: 'data', path: '/', ...keep10 }), ['data']);
    expect(planLabelRegistrations([stopped], state(existing), memory()).removals).toEqual([]);

    const justGone = planLabelRegistrations([], state(existing), memory({ app: T0 }, T0 + 1000));
    expect(justGone.removals).toEqual([]);
    expect(justGone.recheckAt).toBe(T0 + 5000);
    const gone = planLabelRegistrations([], state(existing), memory({ app: T0 }, T0 + 5000));
    expect(gone.removals).toEqual([{ registration: existing, reason: 'container app removed' }]);
  });

  it('removes a registration its existing container no longer declares', () => {
    const existing = registration('data', '/old', { owner: 'app' });
    const plan = planLabelRegistrations([container('app', labels(0, { volume: 'data', path: '/new', ...keep10 }), ['data'])], state(existing));
    expect(plan.removals).toEqual([{ registration: existing, reason: 'container app no longer declares it' }]);
    expect(plan.upserts.map((u) => u.claim.input.path)).toEqual(['/new']);
  });

  it('removes nothing of a container while one of its labels is invalid', () => {
    const existing = registration('data', '/old', { owner: 'app' });
    const plan = planLabelRegistrations([container('app', labels(0, { volume: 'data', path: '/new', algorithm: 'max_size', max_bytes: '-1' }), ['data'])], state(existing));
    expect(plan.removals).toEqual([]);
    expect(plan.reports.map((r) => r.kind)).toEqual(['invalid']);
  });

  it('keeps an API registration of the same target and reports a different claim as a conflict; an identical one is agreement', () => {
    const api = registration('data', '/', { source: 'api', owner: null, algorithm: 'max_size', params: { max_bytes: 1000 } });
    const different = planLabelRegistrations([container('app', labels(0, { volume: 'data', path: '/', ...keep10 }), ['data'])], state(api));
    expect(different.upserts).toEqual([]);
    expect(different.reports).toEqual([expect.objectContaining({ kind: 'conflict', container: 'app', index: '0', volumeName: 'data', path: '/', heldBySource: 'api', heldByOwner: null })]);
    const deploy = registration('data', '/', { source: 'deploy', owner: 'shop' });
    const identical = planLabelRegistrations([container('app', labels(0, { volume: 'data', path: '/', ...keep10 }), ['data'])], state(deploy));
    expect(identical).toMatchObject({ upserts: [], reports: [], removals: [] });
  });

  it('gives a target two containers claim to the one that holds it (or the older one) and never flips between them', () => {
    const first = container('first', labels(0, { volume: 'data', path: '/', ...keep10 }), ['data']);
    const second = container('second', labels(0, { volume: 'data', path: '/', algorithm: 'keep_n_latest', keep_count: '99' }), ['data']);
    const fresh = planLabelRegistrations([second, first], {});
    expect(fresh.upserts.map((u) => u.claim.container.name)).toEqual(['first']);
    expect(fresh.reports).toEqual([expect.objectContaining({ kind: 'conflict', container: 'second', heldBySource: 'label', heldByOwner: 'first' })]);
    const held = state(registration('data', '/', { owner: 'first' }));
    const again = planLabelRegistrations([first, second], held);
    expect(again.upserts).toEqual([]);
    expect(again.reports.map((r) => r.key)).toEqual(fresh.reports.map((r) => r.key));
    // Held by the younger one: it stays with it.
    const heldBySecond = state(registration('data', '/', { owner: 'second', params: { keep_count: 99 } }));
    expect(planLabelRegistrations([first, second], heldBySecond).upserts).toEqual([]);
  });

  it('hands the target over once its owner is gone for good, keeping the registration\'s identity', () => {
    const held = registration('data', '/', { owner: 'old' });
    const heir = container('heir', labels(0, { volume: 'data', path: '/', algorithm: 'keep_n_latest', keep_count: '3' }), ['data']);
    expect(planLabelRegistrations([heir], state(held), memory({ old: T0 }, T0 + 100)).upserts).toEqual([]);
    const plan = planLabelRegistrations([heir], state(held), memory({ old: T0 }, T0 + 6000));
    expect(plan.upserts.map((u) => [u.claim.container.name, u.replaces])).toEqual([['heir', { id: held.id, owner: 'old' }]]);
    expect(plan.removals).toEqual([]);
  });

  it('does not report a claim by a container of the owner\'s own compose service (a replica, or a recreate under a temporary name)', () => {
    const compose = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' };
    const held = registration('data', '/', { owner: 'shop-web-1' });
    const recreate = container('1a2b3c_shop-web-1', { ...compose, ...labels(0, { volume: 'data', path: '/', algorithm: 'keep_n_latest', keep_count: '50' }) }, ['data']);
    const plan = planLabelRegistrations([recreate], state(held), memory({ 'shop-web-1': T0 }, T0 + 100, { 'shop-web-1': compose }));
    expect(plan).toMatchObject({ upserts: [], removals: [], reports: [] });
  });
});
