import type { DockerEndpoint } from './env-schemas.js';
import type { LogLevel, NativeWatcher } from './variables.js';

/**
 * The whole runtime configuration, parsed and validated once at boot from the SM_* environment variables.
 * Nothing else in the code reads process.env. Each variable has its zod schema in the table (variables.ts);
 * each part of this object is one slice (slices/*.ts) that reads its variables and checks how they combine.
 */
export interface AppConfig {
  readonly logLevel: LogLevel;
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly token: string | undefined;
    readonly protectReads: boolean;
    readonly maxBodyBytes: number;
  };
  readonly database:
    | { readonly driver: 'sqlite'; readonly path: string }
    | { readonly driver: 'postgres'; readonly url: string };
  /** Directory holding the manager's own files; never registrable. */
  readonly dataDir: string;
  readonly volumes: {
    readonly dir: string;
    readonly roots: ReadonlyArray<{ readonly name: string; readonly path: string }>;
    readonly hostRoot: string;
  };
  /** The Docker Engine's API (SM_DOCKER_HOST); undefined: no Docker, standalone volumes only. */
  readonly docker: { readonly endpoint: DockerEndpoint | undefined };
  /** The adapter native watches go through (polling always goes through chokidar). */
  readonly watcher: NativeWatcher;
  /** Seconds between sweeps of the directories the kernel refused a watch (SM_WATCH_FALLBACK_SECONDS). */
  readonly watchFallbackSeconds: number;
  readonly intervals: {
    readonly checkSeconds: number;
    readonly monitorSeconds: number;
    readonly discoverySeconds: number;
  };
  readonly tiers: {
    readonly warningPct: number;
    readonly criticalPct: number;
    readonly emergencyPct: number;
    readonly hysteresisPct: number;
  };
  readonly emergencyAuto: boolean;
  readonly quarantineAfter: number;
  readonly alerts: {
    readonly cooldownSeconds: number;
    readonly emergencyRepeatSeconds: number;
    /** A channel failing this long is reported as failing. */
    readonly channelFailingSeconds: number;
    /** One delivery attempt's deadline: a receiver that never answers is a failed attempt, not a stalled channel. */
    readonly sendTimeoutSeconds: number;
    readonly smtpUrl: string | undefined;
    readonly emailFrom: string | undefined;
    readonly emailTo: readonly string[];
    readonly webhookUrls: readonly string[];
    readonly webhookSecret: string | undefined;
    readonly alertmanagerUrl: string | undefined;
    /** 0: no heartbeat. */
    readonly heartbeatHours: number;
  };
  readonly eventLog: {
    readonly retentionDays: number;
    readonly snapshotEveryEvents: number;
    /** Size of the reserve file on the data directory (0: none). */
    readonly reserveBytes: number;
    /** Events held in memory while the database cannot take writes. */
    readonly spoolMaxEvents: number;
  };
}

export interface Runtime {
  /** Relative paths in the environment are resolved against this directory. */
  readonly cwd: string;
}
