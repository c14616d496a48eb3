import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleLogger, Logger, type INestApplication, type LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { setupApiDocs } from './api-docs/api-docs.js';
import { AppModule } from './app.module.js';
import { describeConfig, type AppConfig, type LogLevel } from './config/app-config.js';
import { openDatabase } from './database/data-source.js';
import { CleanupService } from './cleanup/cleanup.service.js';
import { TriggerService } from './cleanup/trigger.service.js';
import { MeasuringService } from './measuring/measuring.service.js';
import { RegistrationService } from './registration/registration.service.js';
import { SchedulerService } from './scheduler/scheduler.service.js';
import { StateStore } from './state/state.store.js';
import { APP_VERSION } from './version.js';

export interface RunningApp {
  readonly app: INestApplication;
  /** Base URL the API listens on (`http://127.0.0.1:9100`). */
  readonly url: string;
  /** Graceful stop: no new connections, in-flight requests finish, jobs stop, the database closes. Idempotent. */
  shutdown(reason?: string): Promise<void>;
}

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  DEBUG: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  INFO: ['fatal', 'error', 'warn', 'log'],
  WARNING: ['fatal', 'error', 'warn'],
  ERROR: ['fatal', 'error'],
};

export function createLogger(level: LogLevel): ConsoleLogger {
  return new ConsoleLogger('storage-manager', { logLevels: NEST_LEVELS[level], colors: process.stdout.isTTY === true });
}

/**
 * Boots the service: opens and migrates the database, rebuilds the state from the event log, starts the
 * background jobs and listens. The order matters: no request is served before the state is loaded.
 */
export async function startApp(config: AppConfig, options: { port?: number } = {}): Promise<RunningApp> {
  const logger = new Logger('Bootstrap');
  const started = performance.now();
  logger.log(`storage-manager ${APP_VERSION} starting: ${describeConfig(config)}`);
  await ensureVolumesDir(config, logger);
  const dataSource = await openDatabase(config.database);
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dataSource), {
      bodyParser: false,
      abortOnError: false,
      bufferLogs: false,
    });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  app.disable('x-powered-by');
  setupApiDocs(app);

  const store = app.get(StateStore);
  await store.load();
  await store.record([{ type: 'service.started', payload: { version: APP_VERSION, pid: process.pid } }]);
  const registrations = app.get(RegistrationService);
  await registrations.reconcileVolumeStatus();

  const measuring = app.get(MeasuringService);
  await measuring.start();
  const triggers = app.get(TriggerService);
  triggers.start();

  const scheduler = app.get(SchedulerService);
  scheduler.every('sweep', config.intervals.checkSeconds, () => triggers.sweep());
  scheduler.every('volume-discovery', config.intervals.discoverySeconds, () => registrations.reconcileVolumeStatus());
  scheduler.every('event-log-compaction', 3600, () => store.compact());
  scheduler.start();
  // Catch up after downtime: one sweep right away (it waits for each target's first scan).
  void scheduler.runNow('sweep');

  await app.listen(options.port ?? config.api.port, config.api.host);
  const server = app.getHttpServer();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.log(`Listening on ${url} (ready in ${Math.round(performance.now() - started)} ms)`);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown'): Promise<void> => {
    stopping ??= stop(app, server, dataSource, { scheduler, triggers, cleanup: app.get(CleanupService), measuring, store }, reason);
    return stopping;
  };
  return { app, url, shutdown };
}

/** Standalone mode needs its volumes directory; it is created empty on first start. */
async function ensureVolumesDir(config: AppConfig, logger: Logger): Promise<void> {
  if (existsSync(config.volumes.dir)) return;
  await mkdir(config.volumes.dir, { recursive: true });
  logger.log(`Created the volumes directory ${config.volumes.dir}: each subdirectory is a volume`);
}

interface Parts {
  readonly scheduler: SchedulerService;
  readonly triggers: TriggerService;
  readonly cleanup: CleanupService;
  readonly measuring: MeasuringService;
  readonly store: StateStore;
}

async function stop(app: INestApplication, server: Server, dataSource: DataSource, parts: Parts, reason: string): Promise<void> {
  const { scheduler, triggers, cleanup, measuring, store } = parts;
  const logger = new Logger('Shutdown');
  logger.log(`Shutting down (${reason}): finishing in-flight requests`);
  // Stop accepting connections; idle keep-alive sockets are closed, active requests run to completion.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
  triggers.stop();
  await scheduler.stop();
  await cleanup.drain();
  await measuring.close();
  await store.drain();
  try {
    await store.record([{ type: 'service.stopped', payload: { reason } }]);
    await store.snapshot();
  } catch (error) {
    logger.warn(`Could not record the stop: ${error instanceof Error ? error.message : String(error)}`);
  }
  await app.close();
  await dataSource.destroy();
  logger.log('Stopped cleanly');
}
