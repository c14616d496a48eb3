import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { storageReportResponse } from '../api-docs/responses.js';
import { ApiZodResponse } from '../api-docs/zod-openapi.js';
import type { Request, Response } from 'express';
import { CompressedBody } from './compressed-body.js';
import { MetricsService } from './metrics.service.js';
import { StorageReportService, type StorageReport } from './storage-report.service.js';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  private readonly compressed = new CompressedBody();

  constructor(
    private readonly metrics: MetricsService,
    private readonly storage: StorageReportService,
  ) {}

  /**
   * Prometheus' text exposition format, not JSON: left out of the OpenAPI document (the README lists the metrics).
   * Written with `end`, not `send`: no ETag over ~700 KB per scrape at 1,000 targets (Prometheus never sends
   * If-None-Match), which was a third of the cost of an answer. Gzipped when the scraper accepts it (Prometheus does).
   */
  @Get()
  @ApiExcludeEndpoint()
  async metricsText(@Req() request: Request, @Res() response: Response): Promise<void> {
    const text = await this.metrics.render();
    const gzipped = request.acceptsEncodings('gzip', 'identity') === 'gzip' ? await this.compressed.of(text) : undefined;
    response.status(200).setHeader('content-type', this.metrics.registry.contentType);
    response.setHeader('vary', 'accept-encoding');
    if (gzipped) response.setHeader('content-encoding', 'gzip');
    const body = gzipped ?? text;
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
