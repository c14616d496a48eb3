/** See dockerd.mjs. */
export const TEST_IMAGE: string;
export const DOCKER_CLI: string;
export interface TestEngine {
  readonly host: string;
  readonly socket: string;
  readonly driver: string;
  readonly base: string;
  readonly logFile: string;
  /** The running dockerd's PID (a new one after restart()). */
  readonly pid: number;
  readonly running: boolean;
  /** Stops dockerd (SIGTERM by PID) and keeps its data root. */
  halt(): Promise<void>;
  /** Starts dockerd again on the same data root. */
  resume(): Promise<void>;
  restart(): Promise<void>;
  /** Stops dockerd and removes its data root. */
  stop(): Promise<void>;
}
export function startDockerd(options?: { storageDriver?: string }): Promise<TestEngine>;
export function importTestImage(host: string): string;
export function docker(host: string, args: string[], options?: object): string;
