import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import Docker from 'dockerode';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig, DockerEndpoint } from '../../config/app-config.js';
import {
  DockerEngine,
  EngineRefusedError,
  EngineUnreachableError,
  type EngineContainer,
  type EngineEvent,
  type EngineEventStream,
  type EngineVersion,
  type EngineVolume,
  type EngineVolumeUsage,
} from '../../volumes/docker-engine.port.js';

/** How long a plain request may take before the Engine counts as unreachable. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** The disk-usage report walks every volume: it gets longer. */
export const DISK_USAGE_TIMEOUT_MS = 120_000;
const EVENT_TYPES: Array<'container' | 'volume'> = ['container', 'volume'];

/** The calls whose published types lag dockerode 5 (which takes an abort signal on every call). */
interface Abortable {
  version(options: { abortSignal: AbortSignal }): Promise<unknown>;
  df(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

interface RawVolume {
  Name?: string;
  Driver?: string;
  Mountpoint?: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  Scope?: string;
  UsageData?: { Size?: number } | null;
}

interface RawContainer {
  Id?: string;
  Names?: string[];
  Labels?: Record<string, string> | null;
  State?: string;
  Created?: number;
  Mounts?: Array<{ Type?: string; Name?: string; Source?: string; Destination?: string }> | null;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string };
  time?: number;
  timeNano?: number;
}

/**
 * The Docker Engine over dockerode, GET requests only: version, volumes, containers, the disk-usage report and
 * the event stream. Failures become the port's two outcomes: the Engine could not be asked
 * (EngineUnreachableError: no socket, refused, reset, timed out, a server error) or it refused
 * (EngineRefusedError: a 4xx, such as a socket proxy's 403); a missing volume is `undefined`.
 */
@Injectable()
export class DockerodeEngine extends DockerEngine {
  private readonly client: Docker | undefined;
  private readonly where: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.client = config.docker.endpoint ? new Docker(clientOptions(config.docker.endpoint)) : undefined;
    this.where = config.docker.endpoint?.url ?? 'no Docker Engine configured';
  }

  async version(): Promise<EngineVersion> {
    const raw = (await this.call((docker, signal) => (docker as unknown as Abortable).version({ abortSignal: signal }))) as { Version?: string; ApiVersion?: string };
    return { version: raw.Version ?? 'unknown', apiVersion: raw.ApiVersion ?? 'unknown' };
  }

  async listVolumes(): Promise<EngineVolume[]> {
    const raw = (await this.call((docker, signal) => docker.listVolumes({ abortSignal: signal }))) as { Volumes?: RawVolume[] | null };
    return (raw.Volumes ?? []).flatMap((v) => (v.Name ? [volumeOf(v)] : []));
  }

  async inspectVolume(name: string): Promise<EngineVolume | undefined> {
    try {
      const raw = (await this.call((docker, signal) => docker.getVolume(name).inspect({ abortSignal: signal }))) as RawVolume;
      return raw.Name ? volumeOf(raw) : undefined;
    } catch (error) {
      if (error instanceof EngineRefusedError && error.status === 404) return undefined;
      throw error;
    }
  }

  async listContainers(): Promise<EngineContainer[]> {
    const raw = (await this.call((docker, signal) => docker.listContainers({ all: true, abortSignal: signal }))) as RawContainer[];
    return raw.flatMap((c) => (c.Id ? [containerOf(c)] : []));
  }

  async volumeUsage(): Promise<EngineVolumeUsage[]> {
    const raw = (await this.call((docker, signal) => (docker as unknown as Abortable).df({ abortSignal: signal }), DISK_USAGE_TIMEOUT_MS)) as { Volumes?: RawVolume[] | null };
    return (raw.Volumes ?? []).flatMap((v) => {
      const size = v.UsageData?.Size;
      return v.Name && typeof size === 'number' && size >= 0 ? [{ name: v.Name, bytes: size }] : [];
    });
  }

  async subscribe(onEvent: (event: EngineEvent) => void): Promise<EngineEventStream> {
    if (!this.client) throw new EngineUnreachableError(this.where);
    // The stream lives on: only its opening has a deadline (a timeout signal would cut it later).
    const controller = new AbortController();
    const response = (await withDeadline(
      this.client.getEvents({ filters: { type: EVENT_TYPES }, abortSignal: controller.signal }),
      REQUEST_TIMEOUT_MS,
      controller,
      (error) => this.mapped(error, REQUEST_TIMEOUT_MS),
    )) as unknown as IncomingMessage;
    let closedByUs = false;
    const ended = new Promise<Error | undefined>((resolve) => {
      let buffered = '';
      const finish = (error: Error | undefined): void => {
        response.removeAllListeners('data');
        resolve(closedByUs ? undefined : (error ?? new EngineUnreachableError(`the event stream of ${this.where} ended`)));
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          const event = line === '' ? undefined : eventOf(line);
          if (event) onEvent(event);
          newline = buffered.indexOf('\n');
        }
      });
      response.once('error', (error) => finish(new EngineUnreachableError(`the event stream of ${this.where} failed: ${error.message}`)));
      response.once('close', () => finish(undefined));
    });
    return {
      ended,
      close: () => {
        closedByUs = true;
        controller.abort();
        response.destroy();
      },
    };
  }

  /**
   * One request with a deadline; its failure as the port's errors. The deadline is raced, not only signalled:
   * docker-modem leaves a request's promise unsettled when the signal aborts a response already under way
   * (an Engine shutting down answers headers and then nothing), which would otherwise hang its caller for good.
   */
  private async call<T>(request: (docker: Docker, signal: AbortSignal) => Promise<T>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    if (!this.client) throw new EngineUnreachableError(this.where);
    const controller = new AbortController();
    return withDeadline(request(this.client, controller.signal), timeoutMs, controller, (error) => this.mapped(error, timeoutMs));
  }

  private mapped(error: unknown, timeoutMs: number): Error {
    const e = error as { statusCode?: unknown; message?: unknown; name?: unknown; code?: unknown; json?: { message?: unknown } };
    const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
    const detail = typeof e.json?.message === 'string' ? e.json.message : typeof e.message === 'string' ? e.message : String(error);
    if (status !== undefined && status >= 400 && status < 500) return new EngineRefusedError(`${this.where} answered ${status}: ${detail.trim()}`, status);
    if (status !== undefined) return new EngineUnreachableError(`${this.where} answered ${status}: ${detail.trim()}`);
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return new EngineUnreachableError(`${this.where} did not answer within ${timeoutMs / 1000} s`);
    return new EngineUnreachableError(`${this.where}: ${detail}${typeof e.code === 'string' && !detail.includes(e.code) ? ` (${e.code})` : ''}`);
  }
}

/** `work`, or after `timeoutMs` an abort (of `controller`) and a TimeoutError; failures through `map`. */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number, controller: AbortController, map: (error: unknown) => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }));
    }, timeoutMs);
  });
  // The losing request may settle later (or never): its outcome is dropped.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    throw map(error);
  } finally {
    clearTimeout(timer);
  }
}

function clientOptions(endpoint: DockerEndpoint): Docker.DockerOptions {
  return endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port, protocol: 'http' };
}

function volumeOf(raw: RawVolume): EngineVolume {
  const created = raw.CreatedAt ? new Date(raw.CreatedAt) : null;
  return {
    name: raw.Name ?? '',
    driver: raw.Driver ?? '',
    mountpoint: raw.Mountpoint ?? '',
    createdAt: created && !Number.isNaN(created.getTime()) ? created : null,
    labels: raw.Labels ?? {},
    options: raw.Options ?? {},
    scope: raw.Scope ?? 'local',
  };
}

function containerOf(raw: RawContainer): EngineContainer {
  return {
    id: raw.Id ?? '',
    name: (raw.Names?.[0] ?? raw.Id ?? '').replace(/^\//, ''),
    labels: raw.Labels ?? {},
    mounts: (raw.Mounts ?? []).map((m) => ({ type: m.Type ?? '', name: m.Name ?? null, source: m.Source ?? '', destination: m.Destination ?? '' })),
    state: raw.State ?? '',
    createdAt: new Date((raw.Created ?? 0) * 1000),
  };
}

function eventOf(line: string): EngineEvent | undefined {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return undefined;
  }
  if (!raw.Type || !raw.Action) return undefined;
  const at = raw.timeNano ? new Date(raw.timeNano / 1e6) : new Date((raw.time ?? 0) * 1000);
  return { type: raw.Type, action: raw.Action, id: raw.Actor?.ID ?? '', at };
}
