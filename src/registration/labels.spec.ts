import { describe, expect, it } from '@jest/globals';
import { hasRegistrationLabels, parseRegistrationLabels } from './labels.js';

describe('parseRegistrationLabels', () => {
  it("reads seed 000's camera-app labels as two registrations, params typed as the API types them", () => {
    const { registrations, problems } = parseRegistrationLabels({
      'com.docker.compose.service': 'camera-app',
      'storage-manager.0.volume': 'camera-footage',
      'storage-manager.0.path': '/recordings',
      'storage-manager.0.algorithm': 'max_size',
      'storage-manager.0.max_bytes': '5368709120',
      'storage-manager.0.sort_by': 'mtime',
      'storage-manager.1.volume': 'camera-footage',
      'storage-manager.1.path': '/snapshots',
      'storage-manager.1.algorithm': 'keep_n_latest',
      'storage-manager.1.keep_count': '100',
    });
    expect(problems).toEqual([]);
    expect(registrations).toEqual([
      {
        index: '0',
        input: { volume_name: 'camera-footage', path: '/recordings', algorithm: 'max_size', params: { max_bytes: 5368709120, sort_by: 'mtime' }, description: null },
      },
      {
        index: '1',
        input: { volume_name: 'camera-footage', path: '/snapshots', algorithm: 'keep_n_latest', params: { keep_count: 100 }, description: null },
      },
    ]);
  });

  it("reads seed 000's log-rotation labels with a description", () => {
    const { registrations, problems } = parseRegistrationLabels({
      'storage-manager.0.volume': 'protected-container_logs',
      'storage-manager.0.path': '/',
      'storage-manager.0.algorithm': 'remove_before_date',
      'storage-manager.0.max_age_days': '14',
      'storage-manager.0.description': 'Rotate code-server logs, keep last 14 days',
    });
    expect(problems).toEqual([]);
    expect(registrations[0]?.input).toEqual({
      volume_name: 'protected-container_logs',
      path: '/',
      algorithm: 'remove_before_date',
      params: { max_age_days: 14 },
      description: 'Rotate code-server logs, keep last 14 days',
    });
  });

  it('keeps strings where the schema wants strings: dates, globs, sort keys; reads booleans and JSON lists', () => {
    const { registrations, problems } = parseRegistrationLabels({
      'storage-manager.3.volume': 'logs',
      'storage-manager.3.path': 'app',
      'storage-manager.3.algorithm': 'remove_before_date',
      'storage-manager.3.before_date': '2026-01-15',
      'storage-manager.3.include': '["*.log","*.gz"]',
      'storage-manager.3.exclude': '2024',
      'storage-manager.3.dry_run': 'true',
      'storage-manager.3.priority': '-5',
    });
    expect(problems).toEqual([]);
    expect(registrations[0]?.input.params).toEqual({
      before_date: '2026-01-15',
      include: ['*.log', '*.gz'],
      exclude: '2024',
      dry_run: true,
      priority: -5,
    });
    expect(registrations[0]?.input.path).toBe('/app');
  });

  it('builds the emergency policy from emergency.<param> labels', () => {
    const { registrations, problems } = parseRegistrationLabels({
      'storage-manager.0.volume': 'cams',
      'storage-manager.0.path': '/',
      'storage-manager.0.algorithm': 'max_size',
      'storage-manager.0.max_bytes': '1000000',
      'storage-manager.0.emergency.keep_count': '25',
      'storage-manager.0.emergency.algorithm': 'keep_n_latest',
    });
    expect(problems).toEqual([]);
    expect(registrations[0]?.input.params).toEqual({ max_bytes: 1000000, emergency: { algorithm: 'keep_n_latest', keep_count: 25 } });
  });

  it('names the container index, the label and the field of each problem; the other indexes still apply', () => {
    const { registrations, problems } = parseRegistrationLabels({
      'storage-manager.0.volume': 'cams',
      'storage-manager.0.path': '/',
      'storage-manager.0.algorithm': 'max_size',
      'storage-manager.0.max_bytes': 'five gigabytes',
      'storage-manager.1.volume': 'cams',
      'storage-manager.1.path': '/snaps',
      'storage-manager.1.algorithm': 'keep_n_latest',
      'storage-manager.1.keep_count': '10',
      'storage-manager.2.volume': 'cams',
      'storage-manager.2.algorithm': 'shred_everything',
      'storage-manager.x.volume': 'cams',
    });
    expect(registrations.map((r) => r.index)).toEqual(['1']);
    expect(problems).toEqual(
      expect.arrayContaining([
        { index: '0', label: 'storage-manager.0.max_bytes', field: 'params.max_bytes', message: 'must be a number of bytes' },
        { index: '2', label: 'storage-manager.2.path', field: 'path', message: 'is missing (storage-manager.2.path)' },
        expect.objectContaining({ index: '2', label: 'storage-manager.2.algorithm', field: 'algorithm' }),
        expect.objectContaining({ index: '', label: 'storage-manager.x.volume', field: 'label' }),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('refuses what the API refuses: unknown params, escaping paths, negative sizes', () => {
    const { registrations, problems } = parseRegistrationLabels({
      'storage-manager.0.volume': 'cams',
      'storage-manager.0.path': '/../etc',
      'storage-manager.0.algorithm': 'max_size',
      'storage-manager.0.max_bytes': '-1',
      'storage-manager.0.max_byts': '10',
    });
    expect(registrations).toEqual([]);
    expect(problems.map((p) => p.label).sort()).toEqual([
      'storage-manager.0.max_bytes',
      'storage-manager.0.max_byts',
      'storage-manager.0.path',
    ]);
    expect(problems.find((p) => p.label === 'storage-manager.0.max_byts')?.message).toMatch(/not a known field/);
  });

  it('ignores containers without storage-manager labels', () => {
    const labels = { 'com.docker.compose.project': 'shop', maintainer: 'someone' };
    expect(hasRegistrationLabels(labels)).toBe(false);
    expect(parseRegistrationLabels(labels)).toEqual({ registrations: [], problems: [] });
    expect(hasRegistrationLabels({ 'storage-manager.0.volume': 'x' })).toBe(true);
  });
});
