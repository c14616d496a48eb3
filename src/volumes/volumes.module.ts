import { Module } from '@nestjs/common';
import { MeasuringModule } from '../measuring/measuring.module.js';
import { UsageService } from '../measuring/usage.service.js';
import { StateModule } from '../state/state.module.js';
import { VolumeCatalogModule } from './volume-catalog.module.js';
import { VolumesController } from './volumes.controller.js';
import { VolumesService } from './volumes.service.js';

@Module({
  imports: [StateModule, VolumeCatalogModule, MeasuringModule],
  controllers: [VolumesController],
  providers: [VolumesService, UsageService],
  exports: [VolumesService],
})
export class VolumesModule {}
