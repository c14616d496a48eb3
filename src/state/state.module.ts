import { Module } from '@nestjs/common';
import { EventLogModule } from '../event-log/event-log.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StateStore } from './state.store.js';

@Module({
  imports: [EventLogModule, SchedulerModule],
  providers: [StateStore],
  exports: [StateStore],
})
export class StateModule {}
