import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { queryBoolean, queryEnum, queryInteger, queryString } from './query.js';
import { addProblems, objectErrors, zodProblems } from './zod-problems.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

function rejection(run: () => unknown): { message: string; field?: string; details: ReadonlyArray<{ field: string; message: string }> } {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return { message: error.message, field: error.field, details: error.details };
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const item = z.strictObject(
  { path: z.string({ error: 'must be a string' }), size: z.number({ error: 'must be a number' }).optional() },
  { error: objectErrors('must be a JSON object', ['path', 'size']) },
);
const body = z.strictObject({ items: z.array(item, { error: 'must be an array' }) }, { error: objectErrors('must be a JSON object', ['items']) });

describe('ZodValidationPipe', () => {
  it('hands over the parsed value', () => {
    expect(new ZodValidationPipe(body).transform({ items: [{ path: 'a' }] }, { type: 'body' })).toEqual({ items: [{ path: 'a' }] });
  });

  it('names a fault of the whole value after the request part or parameter', () => {
    expect(rejection(() => new ZodValidationPipe(body).transform([], { type: 'body' }))).toEqual({
      message: 'body: must be a JSON object',
      field: 'body',
      details: [{ field: 'body', message: 'must be a JSON object' }],
    });
    const volume = new ZodValidationPipe(z.string().min(2, { error: 'is too short' }));
    expect(rejection(() => volume.transform('x', { type: 'param', data: 'volume_name' })).field).toBe('volume_name');
  });

  it('names nested fields in dotted form with indexes, and every unknown key', () => {
    const problems = rejection(() => new ZodValidationPipe(body).transform({ items: [{ path: 'a' }, { path: 5, x: 1, y: 2 }] }, { type: 'body' }));
    expect(problems.details).toEqual([
      { field: 'items[1].path', message: 'must be a string' },
      { field: 'items[1].x', message: 'is not a known field (accepted: path, size)' },
      { field: 'items[1].y', message: 'is not a known field (accepted: path, size)' },
    ]);
    expect(problems.field).toBe('items[1].path');
    expect(problems.message).toBe(
      'items[1].path: must be a string; items[1].x: is not a known field (accepted: path, size); items[1].y: is not a known field (accepted: path, size)',
    );
  });

  it('places problems found by a field-naming validator under the path of the refinement', () => {
    const withRules = z.object({
      entries: z.array(
        z.object({ params: z.unknown().optional() }).superRefine((_value, ctx) => addProblems(ctx, [{ field: 'params.max_bytes', message: 'must be 0 or more' }])),
      ),
    });
    expect(rejection(() => new ZodValidationPipe(withRules).transform({ entries: [{}, {}] }, { type: 'body' })).details).toEqual([
      { field: 'entries[0].params.max_bytes', message: 'must be 0 or more' },
      { field: 'entries[1].params.max_bytes', message: 'must be 0 or more' },
    ]);
  });

  it('reports the same problem of a field once', () => {
    const twice = z.string().refine(() => false, { error: 'is wrong' }).refine(() => false, { error: 'is wrong' });
    expect(rejection(() => new ZodValidationPipe(twice).transform('x', { type: 'query', data: 'q' })).details).toEqual([
      { field: 'q', message: 'is wrong' },
    ]);
  });
});

describe('zodProblems', () => {
  it('names unknown keys with the accepted list when one is given (policy params)', () => {
    const params = z.strictObject({ max_bytes: z.number() });
    expect(zodProblems(params.safeParse({ max_bytes: 1, maxbytes: 2 }), 'params', ['max_bytes'])).toEqual([
      { field: 'params.maxbytes', message: 'is not a known field here (accepted: max_bytes)' },
    ]);
  });
});

describe('query-string schemas', () => {
  const query = z.object({
    limit: queryInteger(1, 1000),
    registered: queryBoolean(),
    sort: queryEnum(['name', 'size']),
    name: queryString(5),
  });
  const parse = (value: Record<string, unknown>): unknown => new ZodValidationPipe(query).transform(value, { type: 'query' });

  it('treats empty values as absent and types the others', () => {
    expect(parse({ limit: '', registered: '', sort: '', name: '' })).toEqual({});
    expect(parse({ limit: '007', registered: '0', sort: 'size', name: 'cam' })).toEqual({ limit: 7, registered: false, sort: 'size', name: 'cam' });
    expect(parse({ registered: 'true' })).toEqual({ registered: true });
  });

  it.each([
    [{ limit: '0' }, 'limit', 'must be a whole number from 1 to 1000'],
    [{ limit: '1.5' }, 'limit', 'must be a whole number from 1 to 1000'],
    [{ limit: '+5' }, 'limit', 'must be a whole number from 1 to 1000'],
    [{ limit: ['1', '2'] }, 'limit', 'must be a whole number from 1 to 1000'],
    [{ registered: 'TRUE' }, 'registered', 'must be true or false'],
    [{ registered: ['true', 'false'] }, 'registered', 'must be true or false'],
    [{ sort: 'Size' }, 'sort', 'must be one of name, size'],
    [{ name: 'toolong' }, 'name', 'must be a single string of at most 5 characters'],
    [{ name: 'a\0b' }, 'name', 'must be a single string of at most 5 characters'],
    [{ name: ['a', 'b'] }, 'name', 'must be a single string of at most 5 characters'],
  ])('rejects %j naming %s', (value, field, message) => {
    expect(rejection(() => parse(value)).details).toEqual([{ field, message }]);
  });
});
