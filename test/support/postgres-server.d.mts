/** See postgres-server.mjs. */
export interface TestPostgres {
  /** The admin URL (user `sm`, database `postgres`). */
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
  /** The running postmaster's PID (a new one after resume()). */
  readonly pid: number;
  readonly running: boolean;
  /** `pg_ctl stop -m fast`; keeps the data directory. */
  halt(): void;
  /** Starts it again on the same data directory and port. */
  resume(): void;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}
export function freePort(): Promise<number>;
export function findPostgresBin(): string | undefined;
export function startPostgres(options?: { say?: (line: string) => void }): Promise<TestPostgres>;
