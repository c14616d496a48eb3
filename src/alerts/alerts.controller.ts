import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { alertsResponse, alertTestResponse } from '../api-docs/responses.js';
import { ApiZodResponse } from '../api-docs/zod-openapi.js';
import { AlertDeliveryService } from './alert-delivery.service.js';
import { AlertsService } from './alerts.service.js';

@ApiTags('alerts')
@Controller('api/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly delivery: AlertDeliveryService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Active alerts, and the outbox per channel (waiting, failing).' })
  @ApiZodResponse(200, alertsResponse, 'Active alerts and channels')
  list(): { active: ReturnType<AlertsService['active']>; channels: ReturnType<AlertDeliveryService['status']> } {
    return { active: this.alerts.active(), channels: this.delivery.status() };
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sends a test alert through every configured channel now and reports each result.' })
  @ApiZodResponse(200, alertTestResponse, 'One result per channel')
  test(): ReturnType<AlertsService['test']> {
    return this.alerts.test();
  }
}
