import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { MeasuringModule } from '../measuring/measuring.module.js';
import { StateModule } from '../state/state.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { VolumeCatalogModule } from './volume-catalog.module.js';
import { VolumesController } from './volumes.controller.js';
import { VolumesService } from './volumes.service.js';
import { VolumeUsageService } from './volume-usage.service.js';

@Module({
  imports: [StateModule, VolumeCatalogModule, MeasuringModule, TiersModule, SchedulerModule],
  controllers: [VolumesController],
  providers: [VolumesService, VolumeUsageService],
  exports: [VolumesService],
})
export class VolumesModule {}
