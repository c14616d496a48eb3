import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../common/errors.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { importBody, importMode, importQuery, MAX_IMPORT_ITEMS } from './import.schema.js';
import { parseRegistration } from './registration.schema.js';

function problemFields(body: unknown): string[] {
  try {
    parseRegistration(body);
  } catch (error) {
    if (error instanceof ValidationError) return error.details.map((d) => d.field);
    throw error;
  }
  return [];
}

const base = { volume_name: 'cam', path: '/rec' };

describe('parseRegistration', () => {
  it.each([
    ['max_size', { max_bytes: 0 }],
    ['max_size', { max_bytes: 5368709120, sort_by: 'size' }],
    ['keep_n_latest', { keep_count: 0 }],
    ['keep_n_latest', { keep_count: 100, sort_by: 'ctime' }],
    ['remove_before_date', { max_age_days: 0.5 }],
    ['remove_before_date', { before_date: '2026-01-15', age_by: 'ctime' }],
    ['remove_before_date', { before_date: '2026-01-15T08:30:00+02:00' }],
    ['orphans', { pattern: '*.json', companion: '{stem}.jpg' }],
    [
      'max_size',
      {
        max_bytes: 10,
        include: ['*.mp4'],
        exclude: 'keep/**',
        min_age_seconds: 0,
        delete_empty_dirs: false,
        dry_run: true,
        priority: -5,
        watch: 'poll',
        warning_bytes: 8,
        critical_bytes: 9,
        emergency: { max_bytes: 5 },
      },
    ],
    ['keep_n_latest', { keep_count: 100, emergency: { keep_count: 25 } }],
    ['keep_n_latest', { keep_count: 100, emergency: { algorithm: 'max_size', max_bytes: 1 } }],
  ])('accepts %s with %j', (algorithm, params) => {
    const parsed = parseRegistration({ ...base, algorithm, params });
    expect(parsed).toEqual({ ...base, algorithm, params, description: null });
  });

  it('normalises the path and keeps the params as given', () => {
    expect(parseRegistration({ volume_name: 'cam', path: 'rec//day/', algorithm: 'keep_n_latest', params: { keep_count: 3 } }).path).toBe(
      '/rec/day',
    );
    expect(parseRegistration({ volume_name: 'cam', path: '/', algorithm: 'keep_n_latest', params: { keep_count: 3 } }).path).toBe('/');
  });

  it('names every faulty field at once', () => {
    expect(problemFields({ volume_name: '', path: '/..', algorithm: 'max_size', params: { max_bytes: -1, x: 1 } })).toEqual([
      'volume_name',
      'path',
      'params.max_bytes',
      'params.x',
    ]);
  });

  it('requires exactly one threshold for remove_before_date', () => {
    expect(problemFields({ ...base, algorithm: 'remove_before_date', params: {} })).toEqual(['params']);
    expect(problemFields({ ...base, algorithm: 'remove_before_date', params: { before_date: '2026-01-01', max_age_days: 1 } })).toEqual([
      'params.max_age_days',
    ]);
  });

  it('does not treat inherited object keys as algorithms', () => {
    for (const algorithm of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(problemFields({ ...base, algorithm, params: {} })).toEqual(['algorithm']);
    }
  });
});

describe('import body', () => {
  const pipe = new ZodValidationPipe(importBody);
  const item = (path: string, params: Record<string, unknown> = { keep_count: 1 }) => ({ volume_name: 'cam', path, algorithm: 'keep_n_latest', params });

  function importFields(body: unknown): string[] {
    try {
      pipe.transform(body, { type: 'body' });
    } catch (error) {
      if (error instanceof ValidationError) return error.details.map((d) => d.field);
      throw error;
    }
    return [];
  }

  it('accepts an export sent back as it is, and drops what only an export carries', () => {
    const exported = { version: 1, exported_at: '2026-01-15T08:30:00Z', registrations: [{ ...item('/rec'), id: 'x', source: 'api', status: 'active', owner: null }] };
    expect(pipe.transform(exported, { type: 'body' })).toEqual({
      version: 1,
      exported_at: '2026-01-15T08:30:00Z',
      registrations: [{ ...item('/rec'), description: null }],
    });
  });

  it('names bad items and repeated targets together, after normalising the paths', () => {
    expect(importFields({ registrations: [item('/a'), item('/b', { keep_count: -1 }), item('a/'), 5] })).toEqual([
      'registrations[1].params.keep_count',
      'registrations[3]',
      'registrations[2].path',
    ]);
  });

  it('refuses more than the maximum number of items without validating each', () => {
    const registrations = Array.from({ length: MAX_IMPORT_ITEMS + 1 }, () => 5);
    expect(importFields({ registrations })).toEqual(['registrations']);
  });

  it('takes the mode from the query first, then from the body, merge by default', () => {
    const query = new ZodValidationPipe(importQuery);
    const body = pipe.transform({ mode: 'replace', registrations: [] }, { type: 'body' });
    expect(importMode(body, query.transform({ mode: 'merge' }, { type: 'query' }))).toBe('merge');
    expect(importMode(body, query.transform({}, { type: 'query' }))).toBe('replace');
    expect(importMode(pipe.transform({ registrations: [] }, { type: 'body' }), query.transform({ mode: '' }, { type: 'query' }))).toBe('merge');
  });
});
