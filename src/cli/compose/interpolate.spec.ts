import { describe, expect, it } from '@jest/globals';
import { interpolate, interpolateTree, InterpolationError, type Lookup } from './interpolate.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '', PORT: '9100', NESTED: 'inner' };
const lookup: Lookup = (name) => (Object.hasOwn(env, name) ? env[name] : undefined);
const value = (text: string): string => interpolate(text, lookup).value;

describe('interpolate (compose rules)', () => {
  it('substitutes $VAR and ${VAR}, and gives "" with a warning for an unset one', () => {
    expect(value('$SET/${SET}-$PORT')).toBe('value/value-9100');
    expect(interpolate('a${MISSING}b$ALSO_MISSING', lookup)).toEqual({ value: 'ab', unset: ['MISSING', 'ALSO_MISSING'] });
  });

  it('applies :- and - defaults (empty versus unset)', () => {
    expect(value('${MISSING:-d}|${EMPTY:-d}|${SET:-d}')).toBe('d|d|value');
    expect(value('${MISSING-d}|${EMPTY-d}|${SET-d}')).toBe('d||value');
    expect(interpolate('${MISSING:-x}', lookup).unset).toEqual([]);
  });

  it('applies :+ and + replacements', () => {
    expect(value('${SET:+on}|${EMPTY:+on}|${MISSING:+on}')).toBe('on||');
    expect(value('${SET+on}|${EMPTY+on}|${MISSING+on}')).toBe('on|on|');
  });

  it('fails on :? and ? with the message, naming where', () => {
    expect(() => interpolate('${MISSING:?set it in .env}', lookup, 'services.app.labels')).toThrow(
      new InterpolationError('services.app.labels: required variable MISSING is missing a value: set it in .env'),
    );
    expect(() => value('${EMPTY:?}')).toThrow('required variable EMPTY is missing a value');
    expect(value('${EMPTY?must be set}')).toBe('');
    expect(() => value('${MISSING?must be set}')).toThrow('must be set');
    expect(value('${SET:?never shown}')).toBe('value');
  });

  it('reads $$ as a literal $, also next to names and braces', () => {
    expect(value('$$SET costs 5$$ and $${SET}')).toBe('$SET costs 5$ and ${SET}');
  });

  it('nests interpolations in defaults, evaluated only when used', () => {
    expect(value('${MISSING:-${NESTED:-x}/${SET}}')).toBe('inner/value');
    expect(value('${SET:-${MISSING:?not evaluated}}')).toBe('value');
    expect(value('${MISSING:-a}}')).toBe('a}');
  });

  it('refuses a lone $, an unclosed ${ and a malformed reference', () => {
    expect(() => value('price: 5$')).toThrow(/write "\$\$" for a literal "\$"/);
    expect(() => value('${SET')).toThrow(/never closed/);
    expect(() => value('${1X}')).toThrow(/not a variable reference/);
    expect(() => value('${SET:x}')).toThrow(/not a variable reference/);
  });

  it('interpolates every string of a tree, never keys, and names the path of a failure', () => {
    const tree = { services: { app: { labels: ['a=${SET}'], '${KEY}': { n: '${MISSING:-7}' } } } };
    expect(interpolateTree(tree, lookup).value).toEqual({ services: { app: { labels: ['a=value'], '${KEY}': { n: '7' } } } });
    expect(() => interpolateTree({ services: { app: { labels: ['x=${MISSING:?no}'] } } }, lookup)).toThrow('services.app.labels[0]: required variable MISSING');
  });
});
