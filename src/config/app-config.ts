import type { z } from 'zod';
import { closest } from './did-you-mean.js';
import { alertsSlice } from './slices/alerts.js';
import { apiSlice } from './slices/api.js';
import { cleanupSlice } from './slices/cleanup.js';
import { databaseSlice } from './slices/database.js';
import { dockerSlice } from './slices/docker.js';
import { eventLogSlice } from './slices/event-log.js';
import { intervalsSlice } from './slices/intervals.js';
import { loggingSlice } from './slices/logging.js';
import { tiersSlice } from './slices/tiers.js';
import { volumesSlice } from './slices/volumes.js';
import { watchingSlice } from './slices/watching.js';
import type { AppConfig, Runtime } from './config.types.js';
import { VARIABLES } from './variables.js';

export { LOG_LEVELS, NATIVE_WATCHERS, VARIABLES, type LogLevel, type NativeWatcher, type VariableSpec } from './variables.js';
export type { AppConfig, Runtime } from './config.types.js';
export type { DockerEndpoint } from './env-schemas.js';

/** Raised when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}


export function detectRuntime(): Runtime {
  return { cwd: process.cwd() };
}

type Values = Readonly<Record<string, string | undefined>>;

/** Each variable's value as its schema sees it: trimmed, or the default when unset or empty. */
function valuesOf(env: Readonly<Record<string, string | undefined>>): Values {
  return Object.fromEntries(
    Object.entries(VARIABLES).map(([name, spec]) => {
      const value = env[name];
      return [name, value !== undefined && value !== '' ? value.trim() : spec.default];
    }),
  );
}

/**
 * A problem in words, naming its variable: `SM_X="value" <rule>` for the variable's own value (without the
 * value for a secret), `SM_X <message>` for one entry of a list, the message itself for a rule across variables.
 */
function describeIssue(issue: z.core.$ZodIssue, values: Values): string {
  const [name, ...within] = issue.path;
  if (typeof name !== 'string') return issue.message;
  if (within.length > 0 || VARIABLES[name]?.secret) return `${name} ${issue.message}`;
  return `${name}="${values[name] ?? ''}" ${issue.message}`;
}

/** Parses and validates the environment. Throws ConfigError naming every bad variable. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, runtime: Runtime): AppConfig {
  const problems: string[] = [];
  const known = Object.keys(VARIABLES);
  for (const name of Object.keys(env)) {
    if (name.startsWith('SM_') && !known.includes(name)) {
      const hint = closest(name, known);
      problems.push(`${name} is not a known variable${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
  }

  const values = valuesOf(env);
  const read = <T>(slice: z.ZodType<T>): T => {
    const result = slice.safeParse(values);
    if (!result.success) problems.push(...result.error.issues.map((issue) => describeIssue(issue, values)));
    return result.data as T;
  };
  const config = {
    ...read(loggingSlice()),
    ...read(apiSlice()),
    ...read(databaseSlice(runtime)),
    ...read(volumesSlice(runtime)),
    ...read(dockerSlice()),
    ...read(watchingSlice()),
    ...read(intervalsSlice()),
    ...read(tiersSlice()),
    ...read(cleanupSlice()),
    ...read(alertsSlice()),
    ...read(eventLogSlice()),
  } satisfies AppConfig;
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
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
    `docker=${config.docker.endpoint?.url ?? '-'}`,
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
