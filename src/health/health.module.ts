import { Module } from '@nestjs/common';
import { EventLogModule } from '../event-log/event-log.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StateModule } from '../state/state.module.js';
import { VolumesModule } from '../volumes/volumes.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

@Module({
  imports: [EventLogModule, StateModule, SchedulerModule, VolumesModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
