import { Module } from '@nestjs/common';
import { EventLogModule } from '../event-log/event-log.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StateModule } from '../state/state.module.js';
import { MeasuringModule } from '../measuring/measuring.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

@Module({
  imports: [EventLogModule, StateModule, SchedulerModule, VolumeCatalogModule, MeasuringModule, TiersModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
