import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { EventLogModule } from '../event-log/event-log.module.js';
import { MeasuringModule } from '../measuring/measuring.module.js';
import { StateModule } from '../state/state.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { StorageReportService } from './storage-report.service.js';

@Module({
  imports: [StateModule, MeasuringModule, TiersModule, EventLogModule, AlertsModule, VolumeCatalogModule],
  controllers: [MetricsController],
  providers: [MetricsService, StorageReportService],
  exports: [MetricsService],
})
export class MetricsModule {}
