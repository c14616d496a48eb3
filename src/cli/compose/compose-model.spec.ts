import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { composeModel, ComposeError, labelsOf, mergeModels, mountOf } from './compose-model.js';

const model = (text: string) => composeModel(parse(text, { schema: 'failsafe', merge: true }), 'compose.yml');

describe('compose model', () => {
  it('reads labels as a mapping or as a list, keeping every value as written', () => {
    expect(labelsOf({ 'storage-manager.0.max_bytes': '5368709120', empty: null }, 'l')).toEqual({ 'storage-manager.0.max_bytes': '5368709120', empty: '' });
    expect(labelsOf(['a=1', 'b=x=y', 'flag'], 'l')).toEqual({ a: '1', b: 'x=y', flag: '' });
    expect(() => labelsOf('a=1', 'services.app.labels')).toThrow(new ComposeError('services.app.labels must be a mapping or a list of "key=value"'));
    expect(() => labelsOf({ a: { nested: 'x' } }, 'services.app.labels')).toThrow('services.app.labels.a must be a string');
  });

  it('tells named volumes from bind mounts and anonymous volumes, in both syntaxes', () => {
    expect(mountOf('logs:/app/logs:ro', 'v')).toEqual({ kind: 'volume', source: 'logs', target: '/app/logs' });
    expect(mountOf('./data:/data', 'v')).toEqual({ kind: 'bind', source: './data', target: '/data' });
    expect(mountOf('/srv/cam:/cam', 'v')).toEqual({ kind: 'bind', source: '/srv/cam', target: '/cam' });
    expect(mountOf('~/x:/x', 'v').kind).toBe('bind');
    expect(mountOf('/scratch', 'v')).toEqual({ kind: 'volume', source: null, target: '/scratch' });
    expect(mountOf({ type: 'volume', source: 'cam', target: '/rec' }, 'v')).toEqual({ kind: 'volume', source: 'cam', target: '/rec' });
    expect(mountOf({ type: 'tmpfs', target: '/tmp' }, 'v')).toEqual({ kind: 'other', source: null, target: '/tmp' });
    expect(() => mountOf({ source: 'x' }, 'services.app.volumes[0]')).toThrow('services.app.volumes[0] must be');
  });

  it('reads top-level volumes: name, external (also the legacy form) and bare keys', () => {
    const m = model('name: shop\nvolumes:\n  logs:\n  data: {name: shared-data}\n  ext: {external: true}\n  old: {external: {name: legacy}}\n  no: {external: "false"}\n');
    expect(m).toEqual({
      name: 'shop',
      services: {},
      volumes: { logs: {}, data: { name: 'shared-data' }, ext: { external: true }, old: { external: true, name: 'legacy' }, no: { external: false } },
    });
  });

  it('follows YAML anchors and merge keys', () => {
    const m = model('x-labels: &l\n  labels:\n    a: "1"\nservices:\n  app:\n    <<: *l\n    volumes: [logs:/logs]\n');
    expect(m.services.app).toEqual({ labels: { a: '1' }, mounts: [{ kind: 'volume', source: 'logs', target: '/logs' }], profiles: [] });
  });

  it('names the file and place of a structural fault', () => {
    expect(() => model('- a\n- b\n')).toThrow('compose.yml: the top level must be a mapping');
    expect(() => model('services:\n  app: [1]\n')).toThrow('compose.yml: services.app must be a mapping');
    expect(() => model('services:\n  app:\n    volumes: logs\n')).toThrow('compose.yml: services.app.volumes must be a list');
  });

  it('merges files as compose does: labels by key, mounts by target, volumes by key, the last name', () => {
    const base = model('name: one\nservices:\n  app:\n    labels: {a: "1", b: "2"}\n    volumes: ["logs:/logs", "data:/data"]\nvolumes:\n  logs: {}\n');
    const over = model('name: two\nservices:\n  app:\n    labels: ["b=3", "c=4"]\n    volumes: ["other:/data"]\n  extra: {}\nvolumes:\n  logs: {name: custom}\n');
    expect(mergeModels([base, over])).toEqual({
      name: 'two',
      services: {
        app: {
          labels: { a: '1', b: '3', c: '4' },
          mounts: [
            { kind: 'volume', source: 'logs', target: '/logs' },
            { kind: 'volume', source: 'other', target: '/data' },
          ],
          profiles: [],
        },
        extra: { labels: {}, mounts: [], profiles: [] },
      },
      volumes: { logs: { name: 'custom' } },
    });
  });
});
