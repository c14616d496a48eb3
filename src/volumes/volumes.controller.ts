import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ApiErrors, volumeResponse } from '../api-docs/responses.js';
import { ApiZodQuery, ApiZodResponse } from '../api-docs/zod-openapi.js';
import { queryBoolean, queryEnum, queryString } from '../common/query.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { VolumesService, type VolumeQuery } from './volumes.service.js';

/** The query of GET /api/volumes. */
const volumesQuery = z
  .object({
    name: queryString(255).describe('Substring of the volume name, case-insensitive'),
    registered: queryBoolean().describe('Only volumes with (true) or without (false) registrations'),
    sort: queryEnum(['volume_name', 'current_bytes', 'created_at']).describe('Default volume_name'),
  })
  .transform((query): VolumeQuery => ({ ...query, sort: query.sort ?? 'volume_name' }));

@ApiTags('volumes')
@Controller('api/volumes')
export class VolumesController {
  constructor(private readonly volumes: VolumesService) {}

  @Get()
  @ApiOperation({ summary: 'Every volume, enriched with usage, tier and registrations.' })
  @ApiZodQuery(volumesQuery)
  @ApiZodResponse(200, volumeResponse.array(), 'Every volume')
  @ApiErrors(400)
  async list(@Query(new ZodValidationPipe(volumesQuery)) query: VolumeQuery, @Res() response: Response): Promise<void> {
    // The serialised answer as kept by the service (see VolumesService.listBody), written as it is: no
    // JSON.stringify nor ETag over ~300 KB per request at 1,000 targets.
    const body = await this.volumes.listBody(query);
    response.status(200).setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('content-length', body.length);
    response.end(body);
  }
}
