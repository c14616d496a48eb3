import { Module } from '@nestjs/common';
import { SafeDeleter } from '../adapters/deletion/safe-deleter.js';
import { IntentJournalAdapter } from '../adapters/filesystem/intent-journal.adapter.js';
import { MeasuringModule } from '../measuring/measuring.module.js';
import { RegistrationModule } from '../registration/registration.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { EventLogModule } from '../event-log/event-log.module.js';
import { StateModule } from '../state/state.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { CleanupController } from './cleanup.controller.js';
import { CleanupService } from './cleanup.service.js';
import { DeletionJournalService } from './deletion-journal.service.js';
import { EmergencyService } from './emergency.service.js';
import { FileDeleter } from './file-deleter.port.js';
import { IntentJournal } from './intent-journal.port.js';
import { QuarantineService } from './quarantine.service.js';
import { TriggerService } from './trigger.service.js';

@Module({
  imports: [EventLogModule, StateModule, VolumeCatalogModule, MeasuringModule, RegistrationModule, SchedulerModule, TiersModule],
  controllers: [CleanupController],
  providers: [
    { provide: FileDeleter, useClass: SafeDeleter },
    { provide: IntentJournal, useClass: IntentJournalAdapter },
    DeletionJournalService,
    CleanupService, TriggerService, QuarantineService, EmergencyService],
  exports: [CleanupService, TriggerService],
})
export class CleanupModule {}
