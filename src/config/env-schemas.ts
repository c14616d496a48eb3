import path from 'node:path';
import { z } from 'zod';

/**
 * Zod schemas of environment values. Each takes the value as the table gives it (trimmed; the default when
 * the variable is unset or empty) and states its rule in its message; parseConfig puts the variable's name
 * (and, unless it is a secret, its value) in front: `SM_API_PORT="http" must be a whole number from 0 to 65535`.
 * A problem with one entry of a list names the entry itself: `SM_ROOTS entry "camera" must be …`.
 */

/** Any text. */
export function text() {
  return z.string();
}

/** Any text, or unset. */
export function optionalText() {
  return z.string().optional();
}

/** A whole number in decimal digits, from `min` to `max`. */
export function wholeNumber(min: number, max: number) {
  return z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      error: `must be a whole number from ${min} to ${max}`,
    })
    .transform(Number);
}

/** A number in `[min, max]`, or above `min` when `exclusiveMin`. */
export function decimal(min: number, max: number, message: string, exclusiveMin = false) {
  return z
    .string()
    .refine(
      (value) => {
        const n = Number(value);
        return value !== '' && Number.isFinite(n) && (exclusiveMin ? n > min : n >= min) && n <= max;
      },
      { error: message },
    )
    .transform(Number);
}

/** A percentage of a filesystem: above 0, at most 100. */
export function percent() {
  return decimal(0, 100, 'must be a number above 0 and at most 100', true);
}

const FLAGS: Record<string, boolean> = { true: true, 1: true, yes: true, on: true, false: false, 0: false, no: false, off: false };

/** true/false (also 1/0, yes/no, on/off), in any case. */
export function flag() {
  return z
    .string()
    .refine((value) => Object.hasOwn(FLAGS, value.toLowerCase()), { error: 'must be true or false' })
    .transform((value) => FLAGS[value.toLowerCase()]!);
}

/** One of `values`, in any case; the value is given in the case of `values`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, letterCase: 'upper' | 'lower') {
  return z
    .string()
    .transform((value) => (letterCase === 'upper' ? value.toUpperCase() : value.toLowerCase()))
    .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }));
}

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** A URL with one of `protocols` (`postgres:`), or unset. */
export function optionalUrl(protocols: readonly string[]) {
  return z
    .string()
    .refine((value) => hasProtocol(value, protocols), {
      error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    })
    .optional();
}

/** A comma-separated list (empty items dropped), each item checked by `item`. */
export function list<T>(item: z.ZodType<T, string>) {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(z.array(item));
}

/** An http(s) URL, as an item of a list. */
export function webhookUrl() {
  return z.string().refine((value) => hasProtocol(value, ['http:', 'https:']), {
    error: 'has an invalid URL (must start with http:// or https://)',
  });
}

const ADDRESS = /^[^@\s]+@[^@\s]+$/;

/** An email address, as an item of a list. */
export function emailAddress() {
  return z.string().refine((value) => ADDRESS.test(value), { error: (issue) => `has an invalid address "${String(issue.input)}"` });
}

/** An email address, optionally with a display name (`Storage <sm@example.org>`), or unset. */
export function optionalSender() {
  return z
    .string()
    .refine((value) => /^[^@\s]+@[^@\s]+$|<[^@\s]+@[^@\s]+>$/.test(value), { error: 'must be an email address' })
    .optional();
}

/** An absolute path (normalised), or empty for none. */
export function absolutePathOrEmpty() {
  return z
    .string()
    .refine((value) => value === '' || path.isAbsolute(value), { error: 'must be an absolute path' })
    .transform((value) => (value === '' ? '' : path.resolve(value)));
}

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** `name=/absolute/path` entries naming host directories as volumes; each name once. */
export function namedRoots() {
  const root = z.string().transform((entry, ctx) => {
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim() : '';
    const rootPath = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!VOLUME_NAME.test(name) || !path.isAbsolute(rootPath)) {
      ctx.addIssue({ code: 'custom', message: `entry "${entry}" must be name=/absolute/path (name: letters, digits, _ . -)` });
      return z.NEVER;
    }
    return { name, path: path.resolve(rootPath) };
  });
  // Also checked when another entry is malformed (that one is skipped), so that every fault is named at once.
  return list(root).superRefine(
    (roots, ctx) => {
      const names = roots.map((root) => (typeof root === 'object' ? root.name : undefined));
      names.forEach((name, index) => {
        if (name !== undefined && names.indexOf(name) < index) ctx.addIssue({ code: 'custom', path: [index], message: `names "${name}" twice` });
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );
}

/** Where a Docker Engine's API is reached: its unix socket, or a TCP address (a socket proxy). */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly url: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly url: string };

const DOCKER_HOST_RULE = 'must be unix:///absolute/path/to/docker.sock or tcp://host:port (empty: no Docker)';

/** `unix:///var/run/docker.sock` or `tcp://host:port`, or empty for none (no credentials, no path, no query). */
export function dockerHost() {
  return z.string().transform((value, ctx): DockerEndpoint | undefined => {
    if (value === '') return undefined;
    if (value.startsWith('unix://')) {
      const socketPath = value.slice('unix://'.length);
      if (path.isAbsolute(socketPath) && !socketPath.includes('\0')) return { kind: 'unix', socketPath: path.resolve(socketPath), url: `unix://${path.resolve(socketPath)}` };
    } else if (value.startsWith('tcp://')) {
      try {
        const url = new URL(value);
        const port = Number(url.port);
        const bare = url.username === '' && url.password === '' && (url.pathname === '' || url.pathname === '/') && url.search === '' && url.hash === '';
        if (url.hostname !== '' && Number.isInteger(port) && port > 0 && bare) {
          return { kind: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port, url: `tcp://${url.host}` };
        }
      } catch {
        // Not a URL: refused below.
      }
    }
    ctx.addIssue({ code: 'custom', message: DOCKER_HOST_RULE });
    return z.NEVER;
  });
}
