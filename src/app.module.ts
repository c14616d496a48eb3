import type { Server } from 'node:http';
import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule, type OnModuleDestroy } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { DatabaseModule } from './adapters/database/database.module.js';
import { ApiTokenGuard } from './common/api-token.guard.js';
import { CommonModule } from './common/common.module.js';
import { DomainExceptionFilter } from './common/domain-exception.filter.js';
import { JsonBodyMiddleware } from './common/json-body.middleware.js';
import { RequestLogMiddleware } from './common/request-log.middleware.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { EventLogModule } from './event-log/event-log.module.js';
import { HealthModule } from './health/health.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { RegistrationModule } from './registration/registration.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { StateModule } from './state/state.module.js';
import { VolumesModule } from './volumes/volumes.module.js';
import { CleanupModule } from './cleanup/cleanup.module.js';
import { MeasuringModule } from './measuring/measuring.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { TiersModule } from './tiers/tiers.module.js';

/**
 * The root module. Its destroy hook is the first of the shutdown (Nest stops modules from the root inwards):
 * the HTTP server stops accepting connections and in-flight requests finish while every part still runs; then
 * each part stops itself (timers, running work, monitors), the state store records the stop, and the database
 * closes last.
 */
@Module({})
export class AppModule implements NestModule, OnModuleDestroy {
  constructor(private readonly http: HttpAdapterHost) {}

  static forRoot(config: AppConfig, dataSource: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forDataSource(dataSource),
        CommonModule,
        EventLogModule,
        StateModule,
        SchedulerModule,
        VolumesModule,
        RegistrationModule,
        MeasuringModule,
        CleanupModule,
        MaintenanceModule,
        TiersModule,
        MetricsModule,
        AlertsModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_GUARD, useClass: ApiTokenGuard },
      ],
    };
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.http.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    // Idle keep-alive sockets are closed, active requests run to completion.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLogMiddleware, JsonBodyMiddleware).forRoutes('*path');
  }
}
