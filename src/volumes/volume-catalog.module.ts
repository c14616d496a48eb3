import { Module } from '@nestjs/common';
import { StandaloneVolumeCatalog } from './standalone-volume.catalog.js';
import { VolumeCatalog } from './volume-catalog.js';

/** Which volumes exist and where: standalone directories (Docker volumes come as another adapter). */
@Module({
  providers: [{ provide: VolumeCatalog, useClass: StandaloneVolumeCatalog }],
  exports: [VolumeCatalog],
})
export class VolumeCatalogModule {}
