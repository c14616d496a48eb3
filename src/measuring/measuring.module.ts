import { Module } from '@nestjs/common';
import { FsTreeReader } from '../adapters/filesystem/tree-reader.adapter.js';
import { ChokidarWatchAdapter } from '../adapters/watching/chokidar-watch.adapter.js';
import { DirectoryWatchAdapter } from '../adapters/watching/directory-watch.adapter.js';
import { ParcelWatchAdapter } from '../adapters/watching/parcel-watch.adapter.js';
import { WatchSelector } from '../adapters/watching/watch-selector.js';
import { StateModule } from '../state/state.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { MeasuringService } from './measuring.service.js';
import { TreeReader } from './tree-reader.port.js';
import { WatchPort } from './watch.port.js';

@Module({
  imports: [StateModule, VolumeCatalogModule],
  providers: [
    { provide: TreeReader, useClass: FsTreeReader },
    DirectoryWatchAdapter,
    ParcelWatchAdapter,
    ChokidarWatchAdapter,
    { provide: WatchPort, useClass: WatchSelector },
    MeasuringService,
  ],
  exports: [MeasuringService, TreeReader],
})
export class MeasuringModule {}
