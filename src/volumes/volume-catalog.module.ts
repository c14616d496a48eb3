import { Module } from '@nestjs/common';
import { DockerodeEngine } from '../adapters/docker/docker-engine.adapter.js';
import { NodeFileSystem } from '../adapters/filesystem/node-filesystem.adapter.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StateModule } from '../state/state.module.js';
import { CompositeVolumeCatalog } from './composite-volume.catalog.js';
import { DockerEngine } from './docker-engine.port.js';
import { DockerEngineWatch } from './docker-engine-watch.service.js';
import { DockerVolumeCatalog } from './docker-volume.catalog.js';
import { StandaloneVolumeCatalog } from './standalone-volume.catalog.js';
import { VolumeCatalog } from './volume-catalog.js';
import { VolumeDirectories } from './volume-directories.port.js';

/** Which volumes exist and where: Docker's (SM_DOCKER_HOST), SM_ROOTS and the standalone directories. */
@Module({
  imports: [StateModule, SchedulerModule],
  providers: [
    { provide: VolumeDirectories, useClass: NodeFileSystem },
    { provide: DockerEngine, useClass: DockerodeEngine },
    StandaloneVolumeCatalog,
    DockerEngineWatch,
    DockerVolumeCatalog,
    { provide: VolumeCatalog, useClass: CompositeVolumeCatalog },
  ],
  exports: [VolumeCatalog, DockerEngineWatch],
})
export class VolumeCatalogModule {}
