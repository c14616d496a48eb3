import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseBooleanQuery, parseEnumQuery, parseStringQuery } from '../common/query.js';
import { VolumesService, type VolumeView } from './volumes.service.js';

@ApiTags('volumes')
@Controller('api/volumes')
export class VolumesController {
  constructor(private readonly volumes: VolumesService) {}

  @Get()
  @ApiOperation({ summary: 'Every volume, enriched with usage, tier and registrations.' })
  @ApiQuery({ name: 'name', required: false, description: 'Substring of the volume name, case-insensitive' })
  @ApiQuery({ name: 'registered', required: false, type: Boolean })
  @ApiQuery({ name: 'sort', required: false, enum: ['volume_name', 'current_bytes', 'created_at'] })
  list(@Query('name') name: unknown, @Query('registered') registered: unknown, @Query('sort') sort: unknown): Promise<VolumeView[]> {
    return this.volumes.list({
      name: parseStringQuery(name, 'name', 255),
      registered: parseBooleanQuery(registered, 'registered'),
      sort: parseEnumQuery(sort, 'sort', ['volume_name', 'current_bytes', 'created_at'] as const) ?? 'volume_name',
    });
  }
}
