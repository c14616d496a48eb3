import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isPlainObject } from '../policies/policy-params.js';
import { validationError } from '../registration/registration.schema.js';
import type { MaintenanceState } from '../state/state.model.js';
import { MaintenanceService } from './maintenance.service.js';

@ApiTags('maintenance')
@Controller('api/maintenance')
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Get()
  @ApiOperation({ summary: 'Whether maintenance mode (no automatic deletion) is on.' })
  get(): MaintenanceState {
    return this.maintenance.current();
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Turn maintenance mode on or off; persisted across restarts.' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['enabled'],
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, reason: { type: 'string', maxLength: 1000 } },
    },
  })
  set(@Body() body: unknown): Promise<MaintenanceState> {
    if (!isPlainObject(body)) throw validationError([{ field: 'body', message: 'must be a JSON object' }]);
    const problems = Object.keys(body)
      .filter((k) => k !== 'enabled' && k !== 'reason')
      .map((k) => ({ field: k, message: 'is not a known field (accepted: enabled, reason)' }));
    if (typeof body.enabled !== 'boolean') problems.push({ field: 'enabled', message: 'must be true or false' });
    if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 1000)) {
      problems.push({ field: 'reason', message: 'must be a string of at most 1000 characters' });
    }
    if (problems.length > 0) throw validationError(problems);
    return this.maintenance.set(body.enabled as boolean, (body.reason as string | undefined) ?? null);
  }
}
