import type { z } from 'zod';
import {
  absolutePathOrEmpty,
  decimal,
  dockerHost,
  emailAddress,
  flag,
  list,
  namedRoots,
  oneOf,
  optionalSender,
  optionalText,
  optionalUrl,
  percent,
  text,
  webhookUrl,
  wholeNumber,
} from './env-schemas.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NATIVE_WATCHERS = ['directories', 'parcel', 'chokidar'] as const;
export type NativeWatcher = (typeof NATIVE_WATCHERS)[number];

export interface VariableSpec {
  readonly meaning: string;
  readonly default?: string;
  /** The value the Docker image sets (its Dockerfile ENV), where it differs from `default`. */
  readonly containerDefault?: string;
  /** Never printed: not in the logged description, not in a problem's message. */
  readonly secret?: boolean;
  /** Checks the value (trimmed; `default` when unset or empty) and gives it its type. */
  readonly schema: z.ZodType<unknown, string | undefined>;
}

const DAY = 86400;

/**
 * Every variable the manager reads, with its rule. `.env.example` and the README table are checked against
 * this list; the slices under ./slices/ read the checked values.
 */
const TABLE = {
  SM_API_HOST: { meaning: 'Address the HTTP API binds to.', default: '127.0.0.1', containerDefault: '0.0.0.0', schema: text() },
  SM_API_PORT: { meaning: 'Port of the HTTP API (0 picks a free port and logs it).', default: '9100', schema: wholeNumber(0, 65535) },
  SM_API_TOKEN: {
    meaning: 'When set, mutating endpoints require "Authorization: Bearer <token>".',
    secret: true,
    schema: optionalText().refine((token) => token === undefined || token.length >= 16, {
      error: 'must be at least 16 characters long',
    }),
  },
  SM_PROTECT_READS: {
    meaning: 'When true, reads (including /metrics and /api/health) need the token too.',
    default: 'false',
    schema: flag(),
  },
  SM_MAX_BODY_BYTES: { meaning: 'Largest accepted request body, in bytes.', default: '1048576', schema: wholeNumber(1024, 512 * 1024 * 1024) },
  SM_LOG_LEVEL: { meaning: 'Log verbosity: DEBUG, INFO, WARNING or ERROR.', default: 'INFO', schema: oneOf(LOG_LEVELS, 'upper') },
  SM_DB_PATH: {
    meaning: 'SQLite database file (embedded default); checked at start, a damaged one stops start-up with status 65.',
    default: './data/storage_manager.db',
    containerDefault: '/data/storage_manager.db',
    schema: text(),
  },
  SM_DB_URL: {
    meaning: 'PostgreSQL URL (postgres://user:pass@host:port/db); replaces SQLite when set.',
    secret: true,
    schema: optionalUrl(['postgres:', 'postgresql:']),
  },
  SM_DATA_DIR: {
    meaning: "The manager's own data directory (never registrable); defaults to SM_DB_PATH's directory.",
    schema: optionalText(),
  },
  SM_VOLUMES_DIR: {
    meaning: 'Standalone mode: every subdirectory is a volume.',
    default: './data/volumes',
    containerDefault: '/volumes',
    schema: text(),
  },
  SM_ROOTS: { meaning: 'Extra named host directories as volumes: "name=/abs/path,name2=/other".', default: '', schema: namedRoots() },
  SM_HOST_ROOT: { meaning: "Prefix for host paths when the host's filesystem is mounted elsewhere.", default: '', schema: absolutePathOrEmpty() },
  SM_DOCKER_HOST: {
    meaning: 'Docker Engine to read volumes, containers and labels from: unix:///path/docker.sock or tcp://host:port (a read-only socket proxy); empty: no Docker.',
    default: '',
    schema: dockerHost(),
  },
  SM_WATCHER: {
    meaning: 'How targets are watched natively: directories (one kernel watch per directory), parcel (@parcel/watcher) or chokidar.',
    default: 'directories',
    schema: oneOf(NATIVE_WATCHERS, 'lower'),
  },
  SM_WATCH_FALLBACK_SECONDS: {
    meaning: 'Seconds between sweeps of the directories the kernel refused a watch (inotify watch limit): each is listed again, its files re-read, and watching it retried.',
    default: '10',
    schema: wholeNumber(1, DAY),
  },
  SM_CHECK_INTERVAL_SECONDS: { meaning: 'Seconds between full sweeps (rescan and cleanup).', default: '300', schema: wholeNumber(1, 31 * DAY) },
  SM_MONITOR_INTERVAL_SECONDS: { meaning: 'Seconds between filesystem measurements.', default: '30', schema: wholeNumber(1, DAY) },
  SM_DISCOVERY_INTERVAL_SECONDS: { meaning: 'Seconds between volume/label discovery passes.', default: '30', schema: wholeNumber(1, DAY) },
  SM_WARNING_PCT: { meaning: 'Filesystem used-percent for the warning tier.', default: '80', schema: percent() },
  SM_CRITICAL_PCT: { meaning: 'Filesystem used-percent for the critical tier.', default: '90', schema: percent() },
  SM_EMERGENCY_PCT: { meaning: 'Filesystem used-percent for the emergency tier.', default: '95', schema: percent() },
  SM_TIER_HYSTERESIS_PCT: {
    meaning: 'Points below a threshold before its tier is left.',
    default: '2',
    // Below SM_WARNING_PCT too: the tiers slice checks that.
    schema: decimal(0, 100, 'must be a number from 0 to below SM_WARNING_PCT'),
  },
  SM_EMERGENCY_AUTO: { meaning: 'Run emergency policies automatically in the emergency tier.', default: 'true', schema: flag() },
  SM_QUARANTINE_AFTER: { meaning: 'Consecutive failed cleanups before a target is quarantined.', default: '3', schema: wholeNumber(1, 1000) },
  SM_ALERT_COOLDOWN_SECONDS: { meaning: 'Seconds before the same alert is repeated.', default: '21600', schema: wholeNumber(0, 365 * DAY) },
  SM_EMERGENCY_REPEAT_SECONDS: { meaning: 'Seconds between repeats of an emergency alert.', default: '900', schema: wholeNumber(1, 365 * DAY) },
  SM_ALERT_CHANNEL_FAILING_SECONDS: {
    meaning: 'Seconds an alert channel keeps failing before it is reported (its alerts are kept and retried).',
    default: '120',
    schema: wholeNumber(1, DAY),
  },
  SM_ALERT_SEND_TIMEOUT_SECONDS: {
    meaning: 'Seconds one delivery attempt may take (connect, send, answer) before it counts as failed and is retried.',
    default: '10',
    schema: wholeNumber(1, 600),
  },
  SM_SMTP_URL: {
    meaning: 'SMTP server for email alerts (smtp://user:pass@host:587).',
    secret: true,
    schema: optionalUrl(['smtp:', 'smtps:']),
  },
  SM_ALERT_EMAIL_FROM: { meaning: 'Sender address of alert emails.', schema: optionalSender() },
  SM_ALERT_EMAIL_TO: { meaning: 'Comma-separated recipients of alert emails.', default: '', schema: list(emailAddress()) },
  SM_ALERT_WEBHOOK_URLS: { meaning: 'Comma-separated webhook URLs receiving alerts.', default: '', schema: list(webhookUrl()) },
  SM_ALERT_HEARTBEAT_HOURS: {
    meaning: 'Hours between heartbeat alerts, so that silence never looks like health (0: no heartbeat).',
    default: '0',
    schema: wholeNumber(0, 24 * 365),
  },
  SM_ALERTMANAGER_URL: {
    meaning: 'Alertmanager to post alerts to (its v2 API), e.g. http://127.0.0.1:9093.',
    schema: optionalUrl(['http:', 'https:']),
  },
  SM_ALERT_WEBHOOK_SECRET: { meaning: 'HMAC secret used to sign webhook deliveries.', secret: true, schema: optionalText() },
  SM_EVENT_RETENTION_DAYS: {
    meaning: 'Days of events kept before compaction (a snapshot keeps the state).',
    default: '30',
    schema: wholeNumber(1, 36500),
  },
  SM_SNAPSHOT_EVERY_EVENTS: { meaning: 'Take a state snapshot after this many new events.', default: '1000', schema: wholeNumber(10, 10_000_000) },
  SM_STATE_RESERVE_MB: {
    meaning:
      "Reserve file kept in SM_DATA_DIR, in MiB (0: none): released when the manager's disk fills so that the log can go on recording cleanups; re-created once space returns. Deleting it by hand frees that much. Two preallocated deletion-intent files of an eighth of it each (at most 4 MiB) are kept beside it, so that intents can be written on a full disk.",
    default: '32',
    schema: wholeNumber(0, 1_048_576),
  },
  SM_EVENT_SPOOL_MAX_EVENTS: {
    meaning: 'Events kept in memory while the database cannot take writes, written in order when it can; beyond it new events are dropped (counted in a metric).',
    default: '100000',
    schema: wholeNumber(100, 100_000_000),
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof TABLE;

/** Every variable the manager reads. `.env.example` and the README table are checked against this list. */
export const VARIABLES: Readonly<Record<string, VariableSpec>> = TABLE;

/** For a rule across variables: it is checked once the variables it reads are valid on their own. */
export function whenValid(...names: VariableName[]): { when: (payload: { issues: ReadonlyArray<{ path?: PropertyKey[] }> }) => boolean } {
  return { when: (payload) => !payload.issues.some((issue) => names.includes(issue.path?.[0] as VariableName)) };
}

/** The schemas of some variables, as the shape of a slice's object schema. */
export function variables<const N extends VariableName>(...names: N[]): { [K in N]: (typeof TABLE)[K]['schema'] } {
  return Object.fromEntries(names.map((name) => [name, TABLE[name].schema])) as { [K in N]: (typeof TABLE)[K]['schema'] };
}
