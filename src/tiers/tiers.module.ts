import { Module } from '@nestjs/common';
import { StatfsAdapter } from '../adapters/statfs/statfs.adapter.js';
import { FilesystemStats } from './filesystem-stats.port.js';
import { TiersService } from './tiers.service.js';

@Module({
  providers: [{ provide: FilesystemStats, useClass: StatfsAdapter }, TiersService],
  exports: [TiersService],
})
export class TiersModule {}
