import { Module } from '@nestjs/common';
import { EventLogRepository } from './event-log.repository.js';
import { EventsController } from './events.controller.js';

@Module({
  controllers: [EventsController],
  providers: [EventLogRepository],
  exports: [EventLogRepository],
})
export class EventLogModule {}
