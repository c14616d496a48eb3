import { Global, Module } from '@nestjs/common';
import { FileSystemAdapter } from '../filesystem/filesystem.adapter.js';
import { Clock, SystemClock } from './clock.js';

/** Process-wide adapters: the clock and the filesystem. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, FileSystemAdapter],
  exports: [Clock, FileSystemAdapter],
})
export class CommonModule {}
