import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { composeModel } from './compose-model.js';
import { declarations, engineVolumeName } from './declarations.js';

const model = (text: string) => composeModel(parse(text, { schema: 'failsafe', merge: true }), 'compose.yml');

// Seed 000's log-rotation example: the label names the Engine name of the compose-level volume `logs`.
const SEED = `
services:
  app:
    volumes:
      - logs:/app/logs
    labels:
      storage-manager.0.volume: "protected-container_logs"
      storage-manager.0.path: "/"
      storage-manager.0.algorithm: "remove_before_date"
      storage-manager.0.max_age_days: "14"
      storage-manager.0.description: "Rotate code-server logs, keep last 14 days"
volumes:
  logs:
`;

describe('compose labels as registrations', () => {
  it("accepts seed 000's example under its project name", () => {
    const found = declarations(model(SEED), 'protected-container');
    expect(found.problems).toEqual([]);
    expect(found.registrations).toEqual([
      {
        service: 'app',
        index: '0',
        input: {
          volume_name: 'protected-container_logs',
          path: '/',
          algorithm: 'remove_before_date',
          params: { max_age_days: 14 },
          description: 'Rotate code-server logs, keep last 14 days',
        },
      },
    ]);
  });

  it('resolves a compose-level volume name to its Engine name', () => {
    const m = model('volumes:\n  logs:\n  named: {name: my-data}\n  ext: {external: true}\n');
    expect(engineVolumeName('logs', m, 'shop')).toBe('shop_logs');
    expect(engineVolumeName('named', m, 'shop')).toBe('my-data');
    expect(engineVolumeName('ext', m, 'shop')).toBe('ext');
    expect(engineVolumeName('elsewhere', m, 'shop')).toBe('elsewhere');
    expect(engineVolumeName('toString', m, 'shop')).toBe('toString');
  });

  it('resolves the volume label, types params, and reads labels given as a list', () => {
    const m = model(`
services:
  cam:
    volumes: [{type: volume, source: footage, target: /rec}]
    labels:
      - storage-manager.0.volume=footage
      - storage-manager.0.path=/recordings
      - storage-manager.0.algorithm=max_size
      - storage-manager.0.max_bytes=5368709120
      - storage-manager.0.sort_by=mtime
      - storage-manager.1.volume=footage
      - storage-manager.1.path=/snapshots
      - storage-manager.1.algorithm=keep_n_latest
      - storage-manager.1.keep_count=100
      - storage-manager.1.emergency.keep_count=5
volumes:
  footage:
`);
    const found = declarations(m, 'site');
    expect(found.problems).toEqual([]);
    expect(found.registrations.map((r) => [r.index, r.input.volume_name, r.input.path, r.input.params])).toEqual([
      ['0', 'site_footage', '/recordings', { max_bytes: 5368709120, sort_by: 'mtime' }],
      ['1', 'site_footage', '/snapshots', { keep_count: 100, emergency: { keep_count: 5 } }],
    ]);
  });

  it('refuses a volume the service does not mount, by service and label, and names what it mounts', () => {
    const m = model(`
services:
  web:
    volumes: ["cache:/cache", "./html:/html"]
    labels: {storage-manager.0.volume: logs, storage-manager.0.path: /, storage-manager.0.algorithm: max_size, storage-manager.0.max_bytes: "1"}
  worker:
    labels: {storage-manager.0.volume: other-project_data, storage-manager.0.path: /, storage-manager.0.algorithm: max_size, storage-manager.0.max_bytes: "1"}
volumes:
  logs:
  cache:
`);
    expect(declarations(m, 'shop')).toEqual({
      registrations: [],
      inactive: [],
      problems: [
        {
          service: 'web',
          label: 'storage-manager.0.volume',
          message: 'volume "logs" (Engine name "shop_logs") is not mounted by service "web" (it mounts "shop_cache"); a service may only register a volume it mounts',
        },
        {
          service: 'worker',
          label: 'storage-manager.0.volume',
          message: 'volume "other-project_data" is not mounted by service "worker" (it mounts no named volume); a service may only register a volume it mounts',
        },
      ],
    });
  });

  it('names every invalid label of every service at once, and keeps the valid ones apart', () => {
    const m = model(`
services:
  a:
    volumes: [v:/v]
    labels:
      storage-manager.0.volume: v
      storage-manager.0.path: /x
      storage-manager.0.algorithm: max_size
      storage-manager.0.max_bytes: "-5"
      storage-manager.1.volume: v
      storage-manager.1.algorithm: shrink
      storage-manager.oops: "1"
  b:
    volumes: [v:/v]
    labels: {storage-manager.0.volume: v, storage-manager.0.path: /ok, storage-manager.0.algorithm: keep_n_latest, storage-manager.0.keep_count: "3"}
volumes:
  v:
`);
    const found = declarations(m, 'p');
    expect(found.problems.map((p) => `${p.service} ${p.label}`)).toEqual([
      'a storage-manager.oops',
      'a storage-manager.0.max_bytes',
      'a storage-manager.1.path',
      'a storage-manager.1.algorithm',
    ]);
    expect(found.problems[1]!.message).toMatch(/^params\.max_bytes /);
    expect(found.registrations.map((r) => `${r.service} ${r.input.volume_name}:${r.input.path}`)).toEqual(['b p_v:/ok']);
  });

  it('refuses the same target declared twice', () => {
    const labels = '{storage-manager.0.volume: v, storage-manager.0.path: /x/, storage-manager.0.algorithm: max_size, storage-manager.0.max_bytes: "1"}';
    const m = model(`services:\n  a:\n    volumes: [v:/v]\n    labels: ${labels}\n  b:\n    volumes: [v:/v]\n    labels: ${labels}\nvolumes:\n  v:\n`);
    expect(declarations(m, 'p').problems).toEqual([
      { service: 'b', label: 'storage-manager.0.path', message: 'declares p_v:/x again (already declared by service "a" storage-manager.0)' },
    ]);
  });

  it('leaves out services whose profiles are not active, and ignores services without labels', () => {
    const m = model(`
services:
  plain: {image: x}
  debug:
    profiles: [debug]
    volumes: [v:/v]
    labels: {storage-manager.0.volume: v, storage-manager.0.path: /, storage-manager.0.algorithm: max_size, storage-manager.0.max_bytes: "1"}
volumes:
  v:
`);
    expect(declarations(m, 'p')).toEqual({ registrations: [], problems: [], inactive: ['debug'] });
    expect(declarations(m, 'p', ['debug']).registrations).toHaveLength(1);
    expect(declarations(m, 'p', ['*']).registrations).toHaveLength(1);
  });
});
