import type { components, paths } from './api-schema.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * A typed client of the manager's REST API over the generated `paths` type (src/cli/api-schema.ts): the route,
 * its path and query parameters, its JSON body and every documented answer come from the OpenAPI document, so
 * a changed API fails the CLI's type check. A small wrapper over Node's fetch rather than a client library:
 * the CLI makes a dozen calls, needs nothing beyond JSON, and keeps no extra run-time dependency.
 *
 * The token is sent in the Authorization header only; it never appears in a message, and credentials written
 * in the URL (`https://user:pass@host`, for a proxy's basic auth) are moved into the header and never printed.
 */

export type ErrorBody = components['schemas']['ErrorBody'];

type Method = 'get' | 'put' | 'post' | 'delete';
/** The routes that have an operation for `method`. */
export type RouteOf<M extends Method> = { [P in keyof paths]: paths[P] extends Record<M, object> ? P : never }[keyof paths];
type Operation<M extends Method, P extends RouteOf<M>> = paths[P][M];

type PathParams<O> = O extends { parameters: { path: infer X } } ? (X extends Record<string, unknown> ? X : never) : never;
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type JsonBody<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : undefined;

/** Every documented answer of an operation, discriminated by its status. */
export type Answer<O> = O extends { responses: infer R } ? { [S in keyof R]: { status: S; body: JsonOf<R[S]> } }[keyof R] : never;

type Options<O> = ([PathParams<O>] extends [never] ? { path?: undefined } : { path: PathParams<O> }) & {
  query?: QueryParams<O>;
  body?: JsonBody<O>;
};

export interface ClientOptions {
  readonly url: string;
  readonly token?: string;
  readonly timeoutMs: number;
  /** Aborts every request (Ctrl-C during `events --follow`). */
  readonly signal?: AbortSignal;
}

export class ApiClient {
  private readonly base: URL;
  private readonly authorization: string | undefined;
  /** The URL as it may be printed: without credentials. */
  readonly shownUrl: string;

  constructor(private readonly options: ClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new CliError(`--url: "${redactUrl(options.url)}" is not a URL (e.g. http://127.0.0.1:9100)`, EXIT.invalid);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new CliError(`--url: must be an http:// or https:// URL`, EXIT.invalid);
    const basic = base.username || base.password ? Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64') : undefined;
    base.username = '';
    base.password = '';
    this.base = base;
    this.shownUrl = base.toString().replace(/\/$/, '');
    this.authorization = options.token ? `Bearer ${options.token}` : basic ? `Basic ${basic}` : undefined;
  }

  async call<M extends Method, P extends RouteOf<M>>(method: M, route: P, ...[options]: OptionalIfEmpty<Options<Operation<M, P>>>): Promise<Answer<Operation<M, P>>> {
    const { path: params, query, body } = (options ?? {}) as { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    const pathname = (route as string).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name])));
    const url = new URL(this.base.pathname.replace(/\/$/, '') + pathname, this.base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const signals = [AbortSignal.timeout(this.options.timeoutMs), ...(this.options.signal ? [this.options.signal] : [])];
    let response: Response;
    try {
      response = await fetch(url, { method: method.toUpperCase(), headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.any(signals) });
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      throw new CliError(`cannot reach the manager at ${this.shownUrl}: ${networkReason(error, this.options.timeoutMs)}`, EXIT.unreachable);
    }
    const text = await response.text();
    let json: unknown;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
    }
    if (json === undefined && [502, 503, 504].includes(response.status)) {
      throw new CliError(`cannot reach the manager at ${this.shownUrl}: the server in front of it answered ${response.status} ${response.statusText}`, EXIT.unreachable);
    }
    return { status: response.status, body: json } as Answer<Operation<M, P>>;
  }
}

type OptionalIfEmpty<T> = object extends T ? [options?: T] : [options: T];

/**
 * Narrows an answer to the expected statuses; any other is the manager's refusal, as a CliError with the exit
 * code it deserves (400/422: invalid input; otherwise a failure) and every problem it named.
 */
export function expectStatus<A extends { status: unknown; body: unknown }, S extends number>(answer: A, ...statuses: S[]): Extract<A, { status: S }> {
  if ((statuses as unknown[]).includes(answer.status)) return answer as Extract<A, { status: S }>;
  throw refusal(answer.status as number, answer.body);
}

export function refusal(status: number, body: unknown, describeField: (field: string) => string = (f) => f): CliError {
  const error = isErrorBody(body) ? body : undefined;
  const exitCode = status === 400 || status === 422 ? EXIT.invalid : EXIT.failure;
  if (status === 401) {
    const hint = 'give the token with --token or SM_API_TOKEN';
    return new CliError(`the manager refused the request (401): ${error?.message ?? 'unauthorized'}; ${hint}`, exitCode);
  }
  if (!error) return new CliError(`the manager answered ${status} without an error body`, exitCode);
  const details = error.details ?? (error.field ? [{ field: error.field, message: error.message }] : []);
  const lines = details.length > 0 ? details.map((d) => `${describeField(d.field)}: ${stripField(d.message, d.field)}`) : [];
  const head = details.length > 0 ? `the manager refused the request (${status} ${error.error})` : `the manager refused the request (${status} ${error.error}): ${error.message}`;
  return new CliError(head, exitCode, lines);
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string';
}

/** A one-problem error repeats its field in the message (`path: …`); say it once. */
function stripField(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** A URL with any credentials replaced, for messages. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}
