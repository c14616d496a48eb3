import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, describeConfig, parseConfig, VARIABLES } from './app-config.js';

const runtime = { cwd: '/srv/app' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env, runtime);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('applies the documented defaults, relative to the working directory', () => {
    const config = parseConfig({}, runtime);
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 9100, token: undefined, protectReads: false });
    expect(config.database).toEqual({ driver: 'sqlite', path: '/srv/app/data/storage_manager.db' });
    expect(config.dataDir).toBe('/srv/app/data');
    expect(config.volumes.dir).toBe('/srv/app/data/volumes');
    expect(config.intervals.checkSeconds).toBe(300);
    expect(config.logLevel).toBe('INFO');
    expect(config.tiers).toEqual({ warningPct: 80, criticalPct: 90, emergencyPct: 95, hysteresisPct: 2 });
    expect(config.alerts.cooldownSeconds).toBe(21600);
    expect(config.eventLog.retentionDays).toBe(30);
  });

  it('keeps the image defaults of the public contract documented for the container', () => {
    expect(VARIABLES.SM_DB_PATH?.containerDefault).toBe('/data/storage_manager.db');
    expect(VARIABLES.SM_API_PORT?.default).toBe('9100');
    expect(VARIABLES.SM_CHECK_INTERVAL_SECONDS?.default).toBe('300');
    expect(VARIABLES.SM_LOG_LEVEL?.default).toBe('INFO');
  });

  it.each([
    ['SM_API_PORT', '65536', /SM_API_PORT="65536" must be a whole number from 0 to 65535/],
    ['SM_API_PORT', 'http', /SM_API_PORT="http"/],
    ['SM_CHECK_INTERVAL_SECONDS', '-5', /SM_CHECK_INTERVAL_SECONDS/],
    ['SM_CHECK_INTERVAL_SECONDS', '1.5', /SM_CHECK_INTERVAL_SECONDS/],
    ['SM_LOG_LEVEL', 'verbose', /SM_LOG_LEVEL="verbose" must be one of DEBUG, INFO, WARNING, ERROR/],
    ['SM_WATCHER', 'inotify', /SM_WATCHER="inotify" must be one of directories, parcel, chokidar/],
    ['SM_PROTECT_READS', 'maybe', /SM_PROTECT_READS="maybe" must be true or false/],
    ['SM_DB_URL', 'mysql://x@y/z', /SM_DB_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//],
    ['SM_ROOTS', 'camera', /SM_ROOTS entry "camera" must be name=\/absolute\/path/],
    ['SM_ROOTS', 'cam=relative/dir', /SM_ROOTS entry/],
    ['SM_API_TOKEN', 'short', /SM_API_TOKEN must be at least 16 characters/],
    ['SM_WARNING_PCT', '95', /SM_WARNING_PCT < SM_CRITICAL_PCT < SM_EMERGENCY_PCT/],
    ['SM_ALERT_WEBHOOK_URLS', 'ftp://x', /SM_ALERT_WEBHOOK_URLS has an invalid URL/],
    ['SM_CHECK_INTERVAL', '30', /SM_CHECK_INTERVAL is not a known variable \(did you mean SM_CHECK_INTERVAL_SECONDS\?\)/],
    ['SM_DOCKER_HOST', '/var/run/docker.sock', /SM_DOCKER_HOST="\/var\/run\/docker.sock" must be unix:\/\/\/absolute\/path\/to\/docker.sock or tcp:\/\/host:port/],
    ['SM_DOCKER_HOST', 'unix://relative.sock', /SM_DOCKER_HOST="unix:\/\/relative.sock" must be/],
    ['SM_DOCKER_HOST', 'tcp://proxy', /SM_DOCKER_HOST="tcp:\/\/proxy" must be/],
    ['SM_DOCKER_HOST', 'http://proxy:2375', /SM_DOCKER_HOST/],
    ['SM_DOCKER_HOST', 'tcp://proxy:2375/v1.41', /SM_DOCKER_HOST/],
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems.join('\n')).toMatch(message);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ SM_API_PORT: 'x', SM_LOG_LEVEL: 'loud' })).toHaveLength(2);
  });

  it.each([
    ['SM_DB_URL', 'mysql://sm:hunter2hunter2@db/sm'],
    ['SM_API_TOKEN', 'hunter2'],
    ['SM_SMTP_URL', 'http://sm:hunter2hunter2@mail'],
  ])('names %s without echoing its secret value', (name, value) => {
    const problems = problemsOf({ [name]: value }).join('\n');
    expect(problems).toContain(name);
    expect(problems).not.toContain('hunter2');
  });

  it('checks a rule across variables once the variables it reads are valid', () => {
    expect(problemsOf({ SM_WARNING_PCT: 'abc' })).toEqual(['SM_WARNING_PCT="abc" must be a number above 0 and at most 100']);
    expect(problemsOf({ SM_WARNING_PCT: '10', SM_TIER_HYSTERESIS_PCT: '10' })).toEqual([
      'SM_TIER_HYSTERESIS_PCT="10" must be a number from 0 to below SM_WARNING_PCT',
    ]);
    expect(problemsOf({ SM_SMTP_URL: 'smtp://mail:25', SM_ALERT_EMAIL_TO: 'ops@example.org, nobody' })).toEqual([
      'SM_ALERT_EMAIL_TO has an invalid address "nobody"',
      'SM_SMTP_URL needs SM_ALERT_EMAIL_FROM and SM_ALERT_EMAIL_TO',
    ]);
    expect(problemsOf({ SM_ROOTS: 'a=/x,bad,a=/y' })).toEqual([
      'SM_ROOTS entry "bad" must be name=/absolute/path (name: letters, digits, _ . -)',
      'SM_ROOTS names "a" twice',
    ]);
  });

  it('reads SM_DOCKER_HOST as a unix socket or a TCP address; empty is no Docker', () => {
    expect(parseConfig({}, runtime).docker.endpoint).toBeUndefined();
    expect(parseConfig({ SM_DOCKER_HOST: 'unix:///var/run/docker.sock' }, runtime).docker.endpoint).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock' });
    expect(parseConfig({ SM_DOCKER_HOST: 'tcp://docker-socket-proxy:2375' }, runtime).docker.endpoint).toEqual({ kind: 'tcp', host: 'docker-socket-proxy', port: 2375, url: 'tcp://docker-socket-proxy:2375' });
    expect(parseConfig({ SM_DOCKER_HOST: 'tcp://[::1]:2375' }, runtime).docker.endpoint).toMatchObject({ kind: 'tcp', host: '::1', port: 2375 });
    expect(describeConfig(parseConfig({ SM_DOCKER_HOST: 'tcp://127.0.0.1:2375' }, runtime))).toContain('docker=tcp://127.0.0.1:2375');
  });

  it('parses roots, lists and postgres', () => {
    const config = parseConfig(
      {
        SM_ROOTS: 'camera=/mnt/cam/, logs=/var/log',
        SM_DB_URL: 'postgres://sm:secret@127.0.0.1:5432/sm',
        SM_ALERT_WEBHOOK_URLS: 'http://127.0.0.1:1/a, https://example.test/b',
        SM_LOG_LEVEL: 'debug',
        SM_WATCHER: 'Parcel',
      },
      runtime,
    );
    expect(config.volumes.roots).toEqual([
      { name: 'camera', path: '/mnt/cam' },
      { name: 'logs', path: '/var/log' },
    ]);
    expect(config.database.driver).toBe('postgres');
    expect(config.alerts.webhookUrls).toHaveLength(2);
    expect(config.logLevel).toBe('DEBUG');
    expect(config.watcher).toBe('parcel');
  });

  it('never puts a secret into the logged description', () => {
    const config = parseConfig(
      { SM_API_TOKEN: 'a-very-secret-token-123', SM_DB_URL: 'postgres://sm:hunter2hunter2@127.0.0.1/sm' },
      runtime,
    );
    const line = describeConfig(config);
    expect(line).not.toContain('a-very-secret-token-123');
    expect(line).not.toContain('hunter2hunter2');
    expect(line).toContain('token=set');
  });
});

describe('documentation of the variables', () => {
  const root = new URL('../../', import.meta.url);
  const envExample = readFileSync(new URL('.env.example', root), 'utf8');
  const readme = readFileSync(new URL('README.md', root), 'utf8');

  it.each(Object.entries(VARIABLES))('%s is in .env.example with its default and in the README table', (name, spec) => {
    const line = new RegExp(`^(# )?${name}=(.*)$`, 'm').exec(envExample);
    expect(line?.[2]).toBe(spec.default ?? '');
    expect(readme).toContain(`| \`${name}\` |`);
  });

  it('documents no variable that does not exist', () => {
    const documented = [...envExample.matchAll(/^(?:# )?(SM_[A-Z_]+)=/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(VARIABLES).sort());
  });
});
