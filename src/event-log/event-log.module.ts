import { Module } from '@nestjs/common';
import { TypeOrmEventLogRepository } from '../adapters/database/typeorm-event-log.repository.js';
import { EventLogRepository } from './event-log.repository.js';
import { EventsController } from './events.controller.js';

@Module({
  controllers: [EventsController],
  providers: [{ provide: EventLogRepository, useClass: TypeOrmEventLogRepository }],
  exports: [EventLogRepository],
})
export class EventLogModule {}
