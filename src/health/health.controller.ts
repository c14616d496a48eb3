import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_VERSION } from '../version.js';
import { HealthService, type HealthReport } from './health.service.js';

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Scheduler, database, volume and filesystem health.' })
  @ApiResponse({ status: 200, description: 'ok or degraded' })
  @ApiResponse({ status: 503, description: 'unhealthy (database unreachable)' })
  async get(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.health.report(APP_VERSION);
    response.status(report.status === 'unhealthy' ? 503 : 200);
    return report;
  }
}
