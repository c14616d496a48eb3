import { Module } from '@nestjs/common';
import { UsageService } from '../measuring/usage.service.js';
import { StateModule } from '../state/state.module.js';
import { StandaloneVolumeCatalog } from './standalone-volume.catalog.js';
import { VolumeCatalog } from './volume-catalog.js';
import { VolumesController } from './volumes.controller.js';
import { VolumesService } from './volumes.service.js';

@Module({
  imports: [StateModule],
  controllers: [VolumesController],
  providers: [{ provide: VolumeCatalog, useClass: StandaloneVolumeCatalog }, VolumesService, UsageService],
  exports: [VolumeCatalog, VolumesService],
})
export class VolumesModule {}
