import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { CorruptDatabaseError, createLogger, startApp, type RunningApp } from './app.js';
import { ConfigError, detectRuntime, parseConfig, type AppConfig } from './config/app-config.js';

const EXIT_CONFIG = 78;
/** The SQLite file is not a database or is damaged (EX_DATAERR): restarting will not help, the message says what will. */
const EXIT_CORRUPT_DATABASE = 65;

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = parseConfig(process.env, detectRuntime());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`storage-manager: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  Logger.overrideLogger(createLogger(config.logLevel));
  const logger = new Logger('Main');
  // Handlers first: a signal that arrives while starting is honoured once the service is up. Not Nest's
  // enableShutdownHooks(): it listens only once the app exists, and re-raises the signal after the hooks ran,
  // so a clean SIGTERM would end with status 143 instead of 0. The hooks it would call run through close().
  const service: { running?: RunningApp; pendingSignal?: NodeJS.Signals } = {};
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!service.running) {
      service.pendingSignal = signal;
      return;
    }
    service.running.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  service.running = await startApp(config);
  if (service.pendingSignal) onSignal(service.pendingSignal);
}

main().catch((error: unknown) => {
  if (error instanceof CorruptDatabaseError) {
    new Logger('Main').fatal(`Start-up failed: ${error.message}`);
    process.exit(EXIT_CORRUPT_DATABASE);
  }
  new Logger('Main').fatal(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
