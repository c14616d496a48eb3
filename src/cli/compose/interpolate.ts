/**
 * Compose's variable interpolation (the compose specification's rules), for the values of a compose file and
 * of a `.env` file:
 *
 *   $VAR  ${VAR}           the value; unset gives "" and a warning
 *   ${VAR:-default}        default when VAR is unset or empty     ${VAR-default}  only when unset
 *   ${VAR:?message}        an error when VAR is unset or empty    ${VAR?message}  only when unset
 *   ${VAR:+replacement}    replacement when VAR is set and not empty, else ""   ${VAR+replacement}  when set
 *   $$                     a literal $
 *
 * Defaults, messages and replacements may hold interpolations themselves (`${A:-${B:-x}}`); they are only
 * evaluated when used. A `$` followed by anything else is an error, as in Compose ("escape it with $$").
 */

/** The value of a variable, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

export class InterpolationError extends Error {}

export interface Interpolated<T> {
  readonly value: T;
  /** Variables used without a default while unset (Compose warns and uses ""). */
  readonly unset: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;

/** Interpolates one string; `where` names it in error messages (`services.app.labels`). */
export function interpolate(text: string, lookup: Lookup, where = 'value'): Interpolated<string> {
  const unset: string[] = [];
  const value = expand(text, lookup, where, unset);
  return { value, unset: [...new Set(unset)] };
}

/** Interpolates every string in a parsed YAML value (mappings' values and sequences' items; never keys). */
export function interpolateTree(value: unknown, lookup: Lookup, where = ''): Interpolated<unknown> {
  const unset: string[] = [];
  const walk = (node: unknown, at: string): unknown => {
    if (typeof node === 'string') return expand(node, lookup, at || 'value', unset);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${at}[${index}]`));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, at ? `${at}.${key}` : key)]));
    }
    return node;
  };
  const result = walk(value, where);
  return { value: result, unset: [...new Set(unset)] };
}

function expand(text: string, lookup: Lookup, where: string, unset: string[]): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = matchingBrace(text, dollar + 2);
      if (close < 0) throw invalid(where, text, 'a "${" is never closed');
      out += braced(text.slice(dollar + 2, close), lookup, where, text, unset);
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name === undefined) throw invalid(where, text, 'a "$" starts no variable (write "$$" for a literal "$")');
      out += valueOf(name, lookup, unset);
      i = dollar + 1 + name.length;
    }
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${…}`; -1 when unclosed. */
function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '$' && (text[j + 1] === '$' || text[j + 1] === '{')) {
      if (text[j + 1] === '{') depth++;
      j++;
    } else if (text[j] === '}' && --depth === 0) {
      return j;
    }
  }
  return -1;
}

function braced(body: string, lookup: Lookup, where: string, text: string, unset: string[]): string {
  const match = BRACED.exec(body);
  if (!match) throw invalid(where, text, `"\${${body}}" is not a variable reference`);
  const [, name, operator, argument = ''] = match as unknown as [string, string, string | undefined, string | undefined];
  const value = lookup(name);
  const empty = value === undefined || value === '';
  const inner = (): string => expand(argument, lookup, where, unset);
  switch (operator) {
    case undefined:
      return valueOf(name, lookup, unset);
    case ':-':
      return empty ? inner() : value;
    case '-':
      return value === undefined ? inner() : value;
    case ':?':
    case '?':
      if (operator === ':?' ? empty : value === undefined) {
        const message = inner();
        throw new InterpolationError(`${where}: required variable ${name} is missing a value${message ? `: ${message}` : ''}`);
      }
      return value!;
    case ':+':
      return empty ? '' : inner();
    default: // '+'
      return value === undefined ? '' : inner();
  }
}

function valueOf(name: string, lookup: Lookup, unset: string[]): string {
  const value = lookup(name);
  if (value === undefined) unset.push(name);
  return value ?? '';
}

function invalid(where: string, text: string, why: string): InterpolationError {
  return new InterpolationError(`${where}: invalid interpolation in ${JSON.stringify(text)}: ${why}`);
}
