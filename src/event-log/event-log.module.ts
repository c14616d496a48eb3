import { Module } from '@nestjs/common';
import { TypeOrmEventLogRepository } from '../adapters/database/typeorm-event-log.repository.js';
import { StateDiskAdapter } from '../adapters/filesystem/state-disk.adapter.js';
import { EventLogRepository } from './event-log.repository.js';
import { EventsController } from './events.controller.js';
import { StateDisk } from './state-disk.port.js';
import { StateDiskService } from './state-disk.service.js';

@Module({
  controllers: [EventsController],
  providers: [{ provide: EventLogRepository, useClass: TypeOrmEventLogRepository }, { provide: StateDisk, useClass: StateDiskAdapter }, StateDiskService],
  exports: [EventLogRepository, StateDiskService],
})
export class EventLogModule {}
