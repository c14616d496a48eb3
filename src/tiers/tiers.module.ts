import { Module } from '@nestjs/common';
import { StatfsAdapter } from '../adapters/statfs/statfs.adapter.js';
import { MeasuringModule } from '../measuring/measuring.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StateModule } from '../state/state.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { FilesystemSampler } from './filesystem-sampler.service.js';
import { FilesystemStats } from './filesystem-stats.port.js';
import { TargetTiers } from './target-tiers.service.js';

@Module({
  imports: [StateModule, VolumeCatalogModule, MeasuringModule, SchedulerModule],
  providers: [{ provide: FilesystemStats, useClass: StatfsAdapter }, FilesystemSampler, TargetTiers],
  exports: [FilesystemSampler, TargetTiers],
})
export class TiersModule {}
