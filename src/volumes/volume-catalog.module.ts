import { Module } from '@nestjs/common';
import { NodeFileSystem } from '../adapters/filesystem/node-filesystem.adapter.js';
import { StandaloneVolumeCatalog } from './standalone-volume.catalog.js';
import { VolumeCatalog } from './volume-catalog.js';
import { VolumeDirectories } from './volume-directories.port.js';

/** Which volumes exist and where: standalone directories (Docker volumes come as another catalog). */
@Module({
  providers: [{ provide: VolumeDirectories, useClass: NodeFileSystem }, { provide: VolumeCatalog, useClass: StandaloneVolumeCatalog }],
  exports: [VolumeCatalog],
})
export class VolumeCatalogModule {}
