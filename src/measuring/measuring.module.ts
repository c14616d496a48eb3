import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { ChokidarWatchAdapter } from '../watching/chokidar-watch.adapter.js';
import { DirectoryWatchAdapter } from '../watching/directory-watch.adapter.js';
import { ParcelWatchAdapter } from '../watching/parcel-watch.adapter.js';
import { WatchSelector } from '../watching/watch-selector.js';
import { WatchPort } from '../watching/watch.port.js';
import { MeasuringService } from './measuring.service.js';
import { ScanRunner } from './scan-runner.js';

@Module({
  imports: [StateModule, VolumeCatalogModule],
  providers: [ScanRunner, DirectoryWatchAdapter, ParcelWatchAdapter, ChokidarWatchAdapter, { provide: WatchPort, useClass: WatchSelector }, MeasuringService],
  exports: [MeasuringService],
})
export class MeasuringModule {}
