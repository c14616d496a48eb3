import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { healthResponse } from '../api-docs/responses.js';
import { ApiZodResponse } from '../api-docs/zod-openapi.js';
import { APP_VERSION } from '../version.js';
import { HealthService, type HealthReport } from './health.service.js';

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Scheduler, database, volume and filesystem health.' })
  @ApiZodResponse(200, healthResponse, 'ok or degraded')
  @ApiZodResponse(503, healthResponse, 'unhealthy (database unreachable)')
  async get(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.health.report(APP_VERSION);
    response.status(report.status === 'unhealthy' ? 503 : 200);
    return report;
  }
}
