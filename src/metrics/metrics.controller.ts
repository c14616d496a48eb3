import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { storageReportResponse } from '../api-docs/responses.js';
import { ApiZodResponse } from '../api-docs/zod-openapi.js';
import type { Response } from 'express';
import { MetricsService } from './metrics.service.js';
import { StorageReportService, type StorageReport } from './storage-report.service.js';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly storage: StorageReportService,
  ) {}

  /**
   * Prometheus' text exposition format, not JSON: left out of the OpenAPI document (the README lists the metrics).
   * Written with `end`, not `send`: no ETag over ~700 KB per scrape at 1,000 targets (Prometheus never sends
   * If-None-Match), which was a third of the cost of an answer.
   */
  @Get()
  @ApiExcludeEndpoint()
  async metricsText(@Res() response: Response): Promise<void> {
    const body = await this.metrics.render();
    response.status(200).setHeader('content-type', this.metrics.registry.contentType);
    response.setHeader('content-length', body.length);
    response.end(body);
  }

  @Get('storage')
  @ApiOperation({ summary: 'Storage health a person can read: every filesystem and target, how full, tier, forecast.' })
  @ApiZodResponse(200, storageReportResponse, 'Every filesystem and target, worst first in the summary')
  @Header('cache-control', 'no-store')
  storageReport(): StorageReport {
    return this.storage.report();
  }
}
