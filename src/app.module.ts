import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { ApiTokenGuard } from './common/api-token.guard.js';
import { CommonModule } from './common/common.module.js';
import { DomainExceptionFilter } from './common/domain-exception.filter.js';
import { JsonBodyMiddleware } from './common/json-body.middleware.js';
import { RequestLogMiddleware } from './common/request-log.middleware.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EventLogModule } from './event-log/event-log.module.js';
import { HealthModule } from './health/health.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { RegistrationModule } from './registration/registration.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { StateModule } from './state/state.module.js';
import { VolumesModule } from './volumes/volumes.module.js';
import { CleanupModule } from './cleanup/cleanup.module.js';
import { MeasuringModule } from './measuring/measuring.module.js';

@Module({})
export class AppModule implements NestModule {
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
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_GUARD, useClass: ApiTokenGuard },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLogMiddleware, JsonBodyMiddleware).forRoutes('*path');
  }
}
