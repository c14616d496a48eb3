/**
 * Typed access to the private test Engine of test/support/dockerd.mjs, a plain ES module without a declaration
 * file: the specifier is a variable, so the compiler does not look for one, and the types are declared here.
 */
export interface Engine {
  /** `unix:///…/docker.sock` */
  readonly host: string;
  readonly pid: number;
  /** The storage driver it runs with: overlay2, or vfs where overlay2 failed. */
  readonly driver: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

interface DockerdModule {
  startDockerd(options?: { storageDriver?: string }): Promise<Engine>;
  docker(host: string, args: string[], options?: { input?: string | Buffer; timeout?: number }): string;
  DOCKER_CLI: string;
}

const specifier = '../support/dockerd.mjs';
const dockerd = (await import(specifier)) as DockerdModule;

export const startDockerd = dockerd.startDockerd;
/** Runs the docker client against `host`; returns its trimmed stdout, throws with its stderr on failure. */
export const docker = dockerd.docker;
/** Debian's docker client (/usr/bin/docker), not whichever `docker` comes first on PATH. */
export const DOCKER_CLI = dockerd.DOCKER_CLI;
