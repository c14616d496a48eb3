import type { AddressInfo } from 'node:net';
import { ConsoleLogger, Logger, type INestApplication, type LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { openDatabase } from './adapters/database/data-source.js';
import { setupApiDocs } from './api-docs/api-docs.js';
import { AppModule } from './app.module.js';
import { describeConfig, type AppConfig, type LogLevel } from './config/app-config.js';
import { APP_VERSION } from './version.js';

/** Start-up refuses a damaged SQLite file with this error (main.ts exits with its own status for it). */
export { CorruptDatabaseError } from './adapters/database/database-file-check.js';

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
 * Boots the service: opens and migrates the database, creates the application and listens. Every part starts
 * and stops itself through Nest's lifecycle hooks (onModuleInit: the state is rebuilt and jobs registered;
 * onApplicationBootstrap: measuring, discovery and the catch-up sweep start; shutdown hooks in reverse), and
 * `listen` runs the start-up hooks before the port opens, so no request is served before the state is loaded.
 */
export async function startApp(config: AppConfig, options: { port?: number } = {}): Promise<RunningApp> {
  const logger = new Logger('Bootstrap');
  const started = performance.now();
  logger.log(`storage-manager ${APP_VERSION} starting: ${describeConfig(config)}`);
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
  try {
    await app.listen(options.port ?? config.api.port, config.api.host);
  } catch (error) {
    // Whatever started is stopped again (the database module closes the database).
    await app.close().catch(() => undefined);
    throw error;
  }

  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.log(`Listening on ${url} (ready in ${Math.round(performance.now() - started)} ms)`);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown'): Promise<void> => {
    stopping ??= (async () => {
      new Logger('Shutdown').log(`Shutting down (${reason}): finishing in-flight requests`);
      // Nest's close() hands its argument to the shutdown hooks as the signal (its typing leaves it out).
      const close: (signal?: string) => Promise<void> = app.close.bind(app);
      await close(reason);
      new Logger('Shutdown').log('Stopped cleanly');
    })();
    return stopping;
  };
  return { app, url, shutdown };
}
