import { Module } from '@nestjs/common';
import { NodeFileSystem } from '../adapters/filesystem/node-filesystem.adapter.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StateModule } from '../state/state.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { LabelDiscoveryService } from './label-discovery.service.js';
import { RegistrationController } from './registration.controller.js';
import { RegistrationService } from './registration.service.js';
import { TargetPaths } from './target-paths.port.js';
import { VolumeStatusJob } from './volume-status.job.js';

@Module({
  imports: [StateModule, VolumeCatalogModule, SchedulerModule],
  controllers: [RegistrationController],
  providers: [{ provide: TargetPaths, useClass: NodeFileSystem }, RegistrationService, VolumeStatusJob, LabelDiscoveryService],
  exports: [RegistrationService, LabelDiscoveryService],
})
export class RegistrationModule {}
