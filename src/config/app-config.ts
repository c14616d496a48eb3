import path from 'node:path';

/**
 * The whole runtime configuration, parsed and validated once at boot from the SM_* environment variables.
 * Nothing else in the code reads process.env.
 */
export const NATIVE_WATCHERS = ['directories', 'parcel', 'chokidar'] as const;
export type NativeWatcher = (typeof NATIVE_WATCHERS)[number];

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
  /** The adapter native watches go through (polling always goes through chokidar). */
  readonly watcher: NativeWatcher;
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
    readonly smtpUrl: string | undefined;
    readonly emailFrom: string | undefined;
    readonly emailTo: readonly string[];
    readonly webhookUrls: readonly string[];
    readonly webhookSecret: string | undefined;
  };
  readonly eventLog: {
    readonly retentionDays: number;
    readonly snapshotEveryEvents: number;
  };
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Raised when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

interface VariableSpec {
  readonly meaning: string;
  readonly default?: string;
  /** The value the Docker image sets (its Dockerfile ENV), where it differs from `default`. */
  readonly containerDefault?: string;
  readonly secret?: boolean;
}

/** Every variable the manager reads. `.env.example` and the README table are checked against this list. */
export const VARIABLES: Readonly<Record<string, VariableSpec>> = {
  SM_API_HOST: { meaning: 'Address the HTTP API binds to.', default: '127.0.0.1', containerDefault: '0.0.0.0' },
  SM_API_PORT: { meaning: 'Port of the HTTP API (0 picks a free port and logs it).', default: '9100' },
  SM_API_TOKEN: { meaning: 'When set, mutating endpoints require "Authorization: Bearer <token>".', secret: true },
  SM_PROTECT_READS: { meaning: 'When true, reads (including /metrics and /api/health) need the token too.', default: 'false' },
  SM_MAX_BODY_BYTES: { meaning: 'Largest accepted request body, in bytes.', default: '1048576' },
  SM_LOG_LEVEL: { meaning: 'Log verbosity: DEBUG, INFO, WARNING or ERROR.', default: 'INFO' },
  SM_DB_PATH: {
    meaning: 'SQLite database file (embedded default).',
    default: './data/storage_manager.db',
    containerDefault: '/data/storage_manager.db',
  },
  SM_DB_URL: { meaning: 'PostgreSQL URL (postgres://user:pass@host:port/db); replaces SQLite when set.', secret: true },
  SM_DATA_DIR: { meaning: "The manager's own data directory (never registrable); defaults to SM_DB_PATH's directory." },
  SM_VOLUMES_DIR: {
    meaning: 'Standalone mode: every subdirectory is a volume.',
    default: './data/volumes',
    containerDefault: '/volumes',
  },
  SM_ROOTS: { meaning: 'Extra named host directories as volumes: "name=/abs/path,name2=/other".', default: '' },
  SM_HOST_ROOT: { meaning: "Prefix for host paths when the host's filesystem is mounted elsewhere.", default: '' },
  SM_WATCHER: {
    meaning: 'How targets are watched natively: directories (one kernel watch per directory), parcel (@parcel/watcher) or chokidar.',
    default: 'directories',
  },
  SM_CHECK_INTERVAL_SECONDS: { meaning: 'Seconds between full sweeps (rescan and cleanup).', default: '300' },
  SM_MONITOR_INTERVAL_SECONDS: { meaning: 'Seconds between filesystem measurements.', default: '30' },
  SM_DISCOVERY_INTERVAL_SECONDS: { meaning: 'Seconds between volume/label discovery passes.', default: '30' },
  SM_WARNING_PCT: { meaning: 'Filesystem used-percent for the warning tier.', default: '80' },
  SM_CRITICAL_PCT: { meaning: 'Filesystem used-percent for the critical tier.', default: '90' },
  SM_EMERGENCY_PCT: { meaning: 'Filesystem used-percent for the emergency tier.', default: '95' },
  SM_TIER_HYSTERESIS_PCT: { meaning: 'Points below a threshold before its tier is left.', default: '2' },
  SM_EMERGENCY_AUTO: { meaning: 'Run emergency policies automatically in the emergency tier.', default: 'true' },
  SM_QUARANTINE_AFTER: { meaning: 'Consecutive failed cleanups before a target is quarantined.', default: '3' },
  SM_ALERT_COOLDOWN_SECONDS: { meaning: 'Seconds before the same alert is repeated.', default: '21600' },
  SM_EMERGENCY_REPEAT_SECONDS: { meaning: 'Seconds between repeats of an emergency alert.', default: '900' },
  SM_SMTP_URL: { meaning: 'SMTP server for email alerts (smtp://user:pass@host:587).', secret: true },
  SM_ALERT_EMAIL_FROM: { meaning: 'Sender address of alert emails.' },
  SM_ALERT_EMAIL_TO: { meaning: 'Comma-separated recipients of alert emails.', default: '' },
  SM_ALERT_WEBHOOK_URLS: { meaning: 'Comma-separated webhook URLs receiving alerts.', default: '' },
  SM_ALERT_WEBHOOK_SECRET: { meaning: 'HMAC secret used to sign webhook deliveries.', secret: true },
  SM_EVENT_RETENTION_DAYS: { meaning: 'Days of events kept before compaction (a snapshot keeps the state).', default: '30' },
  SM_SNAPSHOT_EVERY_EVENTS: { meaning: 'Take a state snapshot after this many new events.', default: '1000' },
};

export interface Runtime {
  /** Relative paths in the environment are resolved against this directory. */
  readonly cwd: string;
}

export function detectRuntime(): Runtime {
  return { cwd: process.cwd() };
}

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Parses and validates the environment. Throws ConfigError naming every bad variable. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, runtime: Runtime): AppConfig {
  const problems: string[] = [];
  const known = new Set(Object.keys(VARIABLES));
  for (const name of Object.keys(env)) {
    if (name.startsWith('SM_') && !known.has(name)) {
      const hint = closest(name, [...known]);
      problems.push(`${name} is not a known variable${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
  }

  const raw = (name: string): string | undefined => {
    const spec = VARIABLES[name];
    const value = env[name];
    if (value !== undefined && value !== '') return value.trim();
    return spec?.default;
  };
  const int = (name: string, min: number, max: number): number => {
    const value = raw(name) ?? '';
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name}="${value}" must be a whole number from ${min} to ${max}`);
      return min;
    }
    return Number(value);
  };
  const pct = (name: string): number => {
    const value = raw(name) ?? '';
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n <= 0 || n > 100) {
      problems.push(`${name}="${value}" must be a number above 0 and at most 100`);
      return 100;
    }
    return n;
  };
  const bool = (name: string): boolean => {
    const value = (raw(name) ?? '').toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    problems.push(`${name}="${raw(name)}" must be true or false`);
    return false;
  };
  const list = (name: string): string[] =>
    (raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const url = (name: string, protocols: readonly string[]): string | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return undefined;
    }
  };
  const absolute = (value: string): string => path.resolve(runtime.cwd, value);

  const logLevel = (raw('SM_LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`SM_LOG_LEVEL="${raw('SM_LOG_LEVEL')}" must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const watcher = (raw('SM_WATCHER') ?? 'directories').toLowerCase();
  if (!(NATIVE_WATCHERS as readonly string[]).includes(watcher)) {
    problems.push(`SM_WATCHER="${raw('SM_WATCHER')}" must be one of ${NATIVE_WATCHERS.join(', ')}`);
  }

  const host = raw('SM_API_HOST') ?? '127.0.0.1';
  const port = int('SM_API_PORT', 0, 65535);
  const token = raw('SM_API_TOKEN');
  if (token !== undefined && token.length < 16) {
    problems.push('SM_API_TOKEN must be at least 16 characters long');
  }

  const dbUrl = url('SM_DB_URL', ['postgres:', 'postgresql:']);
  const dbPath = absolute(raw('SM_DB_PATH') ?? './data/storage_manager.db');
  const dataDir = absolute(raw('SM_DATA_DIR') ?? path.dirname(dbPath));

  const roots: Array<{ name: string; path: string }> = [];
  for (const entry of list('SM_ROOTS')) {
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim() : '';
    const rootPath = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!VOLUME_NAME.test(name) || !path.isAbsolute(rootPath)) {
      problems.push(`SM_ROOTS entry "${entry}" must be name=/absolute/path (name: letters, digits, _ . -)`);
    } else if (roots.some((r) => r.name === name)) {
      problems.push(`SM_ROOTS names "${name}" twice`);
    } else {
      roots.push({ name, path: path.resolve(rootPath) });
    }
  }

  const tiers = {
    warningPct: pct('SM_WARNING_PCT'),
    criticalPct: pct('SM_CRITICAL_PCT'),
    emergencyPct: pct('SM_EMERGENCY_PCT'),
    hysteresisPct: 0,
  };
  const hysteresis = Number(raw('SM_TIER_HYSTERESIS_PCT'));
  if (!Number.isFinite(hysteresis) || hysteresis < 0 || hysteresis >= tiers.warningPct) {
    problems.push(`SM_TIER_HYSTERESIS_PCT="${raw('SM_TIER_HYSTERESIS_PCT')}" must be a number from 0 to below SM_WARNING_PCT`);
  } else {
    tiers.hysteresisPct = hysteresis;
  }
  if (!(tiers.warningPct < tiers.criticalPct && tiers.criticalPct < tiers.emergencyPct)) {
    problems.push('SM_WARNING_PCT < SM_CRITICAL_PCT < SM_EMERGENCY_PCT must hold');
  }

  const emailTo = list('SM_ALERT_EMAIL_TO');
  for (const address of emailTo) {
    if (!/^[^@\s]+@[^@\s]+$/.test(address)) problems.push(`SM_ALERT_EMAIL_TO has an invalid address "${address}"`);
  }
  const emailFrom = raw('SM_ALERT_EMAIL_FROM');
  if (emailFrom !== undefined && !/^[^@\s]+@[^@\s]+$|<[^@\s]+@[^@\s]+>$/.test(emailFrom)) {
    problems.push(`SM_ALERT_EMAIL_FROM="${emailFrom}" must be an email address`);
  }
  const webhookUrls = list('SM_ALERT_WEBHOOK_URLS');
  for (const hook of webhookUrls) {
    try {
      if (!['http:', 'https:'].includes(new URL(hook).protocol)) throw new Error('protocol');
    } catch {
      problems.push(`SM_ALERT_WEBHOOK_URLS has an invalid URL (must start with http:// or https://)`);
    }
  }

  const config: AppConfig = {
    logLevel: logLevel as LogLevel,
    api: {
      host,
      port,
      token,
      protectReads: bool('SM_PROTECT_READS'),
      maxBodyBytes: int('SM_MAX_BODY_BYTES', 1024, 512 * 1024 * 1024),
    },
    database: dbUrl ? { driver: 'postgres', url: dbUrl } : { driver: 'sqlite', path: dbPath },
    dataDir,
    volumes: {
      dir: absolute(raw('SM_VOLUMES_DIR') ?? './data/volumes'),
      roots,
      hostRoot: hostRoot(raw('SM_HOST_ROOT') ?? '', problems),
    },
    watcher: watcher as NativeWatcher,
    intervals: {
      checkSeconds: int('SM_CHECK_INTERVAL_SECONDS', 1, 31 * 86400),
      monitorSeconds: int('SM_MONITOR_INTERVAL_SECONDS', 1, 86400),
      discoverySeconds: int('SM_DISCOVERY_INTERVAL_SECONDS', 1, 86400),
    },
    tiers,
    emergencyAuto: bool('SM_EMERGENCY_AUTO'),
    quarantineAfter: int('SM_QUARANTINE_AFTER', 1, 1000),
    alerts: {
      cooldownSeconds: int('SM_ALERT_COOLDOWN_SECONDS', 0, 365 * 86400),
      emergencyRepeatSeconds: int('SM_EMERGENCY_REPEAT_SECONDS', 1, 365 * 86400),
      smtpUrl: url('SM_SMTP_URL', ['smtp:', 'smtps:']),
      emailFrom,
      emailTo,
      webhookUrls,
      webhookSecret: raw('SM_ALERT_WEBHOOK_SECRET'),
    },
    eventLog: {
      retentionDays: int('SM_EVENT_RETENTION_DAYS', 1, 36500),
      snapshotEveryEvents: int('SM_SNAPSHOT_EVERY_EVENTS', 10, 10_000_000),
    },
  };

  if (config.alerts.smtpUrl && (!config.alerts.emailFrom || emailTo.length === 0)) {
    problems.push('SM_SMTP_URL needs SM_ALERT_EMAIL_FROM and SM_ALERT_EMAIL_TO');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function hostRoot(value: string, problems: string[]): string {
  if (value !== '' && !path.isAbsolute(value)) problems.push(`SM_HOST_ROOT="${value}" must be an absolute path`);
  return value === '' ? '' : path.resolve(value);
}

/** A one-line description of the configuration, safe to log: no secret, no password. */
export function describeConfig(config: AppConfig): string {
  const db =
    config.database.driver === 'sqlite' ? `sqlite:${config.database.path}` : `postgres:${redactUrl(config.database.url)}`;
  return [
    `api=${config.api.host}:${config.api.port}`,
    `token=${config.api.token ? 'set' : 'unset'}`,
    `db=${db}`,
    `volumes=${config.volumes.dir}`,
    `roots=${config.volumes.roots.map((r) => r.name).join('|') || '-'}`,
    `watcher=${config.watcher}`,
    `check=${config.intervals.checkSeconds}s`,
    `log=${config.logLevel}`,
  ].join(' ');
}

export function redactUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '***';
  }
}

function closest(name: string, candidates: string[]): string | undefined {
  const extended = candidates.find((c) => c.startsWith(name) || name.startsWith(c));
  if (extended) return extended;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = levenshtein(name, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(name.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
