import { interpolate, type Lookup } from './interpolate.js';

/**
 * A `.env` file as Compose reads it: `KEY=value` lines (an `export ` prefix is allowed), `#` comments, blank
 * lines. Values:
 *   unquoted   trimmed; a ` #` starts a comment; `${VAR}` interpolated
 *   "double"   `\n \r \t \\ \" \$` escapes, `${VAR}` interpolated; may span lines
 *   'single'   literal; may span lines
 * A line with a bare `KEY` takes the variable from the environment, when it is set there. Interpolation inside
 * the file sees the environment first, then the variables defined above it.
 */

export class EnvFileError extends Error {}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseEnvFile(text: string, file: string, environment: Lookup): Record<string, string> {
  const values: Record<string, string> = {};
  const lookup: Lookup = (name) => environment(name) ?? (Object.hasOwn(values, name) ? values[name] : undefined);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const statement = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = statement.indexOf('=');
    const key = (eq < 0 ? statement : statement.slice(0, eq)).trim();
    if (!KEY.test(key)) throw new EnvFileError(`${file}:${lineNo}: "${key}" is not a variable name`);
    if (eq < 0) {
      const inherited = environment(key);
      if (inherited !== undefined) values[key] = inherited;
      continue;
    }
    let rest = statement.slice(eq + 1).trimStart();
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may continue on the next lines, up to its closing quote.
      let body = rest.slice(1);
      let close = closingQuote(body, quote);
      while (close < 0 && n + 1 < lines.length) {
        body += '\n' + lines[++n]!;
        close = closingQuote(body, quote);
      }
      if (close < 0) throw new EnvFileError(`${file}:${lineNo}: the value of ${key} has no closing ${quote}`);
      const trailing = body.slice(close + 1).trim();
      if (trailing !== '' && !trailing.startsWith('#')) {
        throw new EnvFileError(`${file}:${lineNo}: unexpected text after the quoted value of ${key}`);
      }
      const raw = body.slice(0, close);
      values[key] = quote === "'" ? raw : interpolate(unescape(raw), lookup, `${file}:${lineNo}`).value;
      continue;
    }
    const comment = rest.search(/\s#/);
    if (comment >= 0) rest = rest.slice(0, comment);
    values[key] = interpolate(rest.trim(), lookup, `${file}:${lineNo}`).value;
  }
  return values;
}

function closingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };

/** Double-quote escapes; `\$` stays `$$` so that interpolation then yields a literal `$`. */
function unescape(raw: string): string {
  return raw.replace(/\\(.)/g, (whole, char: string) => (char === '$' ? '$$' : (ESCAPES[char] ?? whole)));
}
