/**
 * What the manager reads of a Docker Engine: volumes, containers (with their labels and mounts), the disk-usage
 * report and the event stream — GET requests only. Implemented over dockerode in `adapters/docker/`; specs use
 * `test/fakes/fake-docker-engine.ts`. Paths are the Engine's (the host's), without SM_HOST_ROOT.
 */

export interface EngineVolume {
  readonly name: string;
  readonly driver: string;
  /** Where the Engine has the volume's data on the host; empty for drivers without a local mountpoint. */
  readonly mountpoint: string;
  readonly createdAt: Date | null;
  readonly labels: Readonly<Record<string, string>>;
  /** Driver options (`type`, `device`, `o` of the local driver). */
  readonly options: Readonly<Record<string, string>>;
  readonly scope: string;
}

export interface EngineMount {
  /** `volume`, `bind`, `tmpfs`, … */
  readonly type: string;
  /** The volume's name, for volume mounts. */
  readonly name: string | null;
  /** The host path (for volumes, their mountpoint). */
  readonly source: string;
  readonly destination: string;
}

export interface EngineContainer {
  readonly id: string;
  /** Without the leading slash. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts: readonly EngineMount[];
  /** `created`, `running`, `exited`, … */
  readonly state: string;
  readonly createdAt: Date;
}

/** One volume's size as the Engine's disk-usage report gives it. */
export interface EngineVolumeUsage {
  readonly name: string;
  readonly bytes: number;
}

/** An event of the Engine's stream (only what the manager reacts to). */
export interface EngineEvent {
  /** `container`, `volume`, … */
  readonly type: string;
  /** `create`, `destroy`, `rename`, `update`, `mount`, … */
  readonly action: string;
  /** The container id or volume name. */
  readonly id: string;
  readonly at: Date;
}

export interface EngineVersion {
  readonly version: string;
  readonly apiVersion: string;
}

/** An open event stream. */
export interface EngineEventStream {
  /** Settles when the stream ends, with why (undefined when closed by `close()`). */
  readonly ended: Promise<Error | undefined>;
  close(): void;
}

/** The Engine could not be asked: no socket, connection refused or reset, a timeout, a server error. */
export class EngineUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnreachableError';
  }
}

/** The Engine (or the socket proxy in front of it) answered and refused: e.g. 403 for an endpoint the proxy forbids. */
export class EngineRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'EngineRefusedError';
  }
}

export abstract class DockerEngine {
  /** GET /version. */
  abstract version(): Promise<EngineVersion>;
  /** GET /volumes. */
  abstract listVolumes(): Promise<EngineVolume[]>;
  /** GET /volumes/{name}; undefined when the Engine has no such volume. */
  abstract inspectVolume(name: string): Promise<EngineVolume | undefined>;
  /** GET /containers/json?all=1: every container, running or not, with labels and mounts. */
  abstract listContainers(): Promise<EngineContainer[]>;
  /** GET /system/df (slow: the Engine walks every volume); volumes whose size it did not compute are left out. */
  abstract volumeUsage(): Promise<EngineVolumeUsage[]>;
  /** GET /events for containers and volumes; resolves once the stream is open. */
  abstract subscribe(onEvent: (event: EngineEvent) => void): Promise<EngineEventStream>;
}
