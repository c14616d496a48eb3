import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, maintenanceResponse } from '../api-docs/responses.js';
import { ApiZodBody, ApiZodResponse } from '../api-docs/zod-openapi.js';
import { objectErrors } from '../common/zod-problems.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import type { MaintenanceState } from '../state/state.model.js';
import { MaintenanceService } from './maintenance.service.js';

const reasonError = 'must be a string of at most 1000 characters';
/** The body of POST /api/maintenance. */
const maintenanceRequest = z.strictObject(
  {
    enabled: z.boolean({ error: 'must be true or false' }),
    reason: z.string({ error: reasonError }).max(1000, { error: reasonError }).optional(),
  },
  { error: objectErrors('must be a JSON object', ['enabled', 'reason']) },
).meta({ id: 'MaintenanceRequest' });
type MaintenanceRequest = z.output<typeof maintenanceRequest>;

@ApiTags('maintenance')
@Controller('api/maintenance')
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Get()
  @ApiOperation({ summary: 'Whether maintenance mode (no automatic deletion) is on.' })
  @ApiZodResponse(200, maintenanceResponse, 'The maintenance state')
  get(): MaintenanceState {
    return this.maintenance.current();
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Turn maintenance mode on or off; persisted across restarts.' })
  @ApiZodBody(maintenanceRequest)
  @ApiZodResponse(200, maintenanceResponse, 'The new maintenance state')
  @ApiErrors(400, 401, 413, 415)
  set(@Body(new ZodValidationPipe(maintenanceRequest)) body: MaintenanceRequest): Promise<MaintenanceState> {
    return this.maintenance.set(body.enabled, body.reason ?? null);
  }
}
