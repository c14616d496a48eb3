import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ValidationError } from '../common/errors.js';
import { parseBooleanQuery } from '../common/query.js';
import type { Registration } from '../state/state.model.js';
import { parseImport } from './import.schema.js';
import { parseRegistration } from './registration.schema.js';
import { RegistrationService, type ImportSummary, type RegistrationExport } from './registration.service.js';
import { normaliseTargetPath, checkVolumeName } from './target-path.js';
import { REGISTER_BODY_SCHEMA, IMPORT_BODY_SCHEMA } from './registration.openapi.js';

@ApiTags('registrations')
@Controller('api')
export class RegistrationController {
  constructor(private readonly registrations: RegistrationService) {}

  @Post('register')
  @ApiOperation({ summary: 'Register (or update) a target: a path inside a volume with a policy. Idempotent.' })
  @ApiBody({ schema: REGISTER_BODY_SCHEMA })
  @ApiResponse({ status: 201, description: 'Created' })
  @ApiResponse({ status: 200, description: 'Updated or unchanged' })
  @ApiResponse({ status: 400, description: 'Invalid request; the message names the field' })
  async register(@Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<Registration & { outcome: string }> {
    const { outcome, registration } = await this.registrations.upsert(parseRegistration(body));
    response.status(outcome === 'created' ? 201 : 200);
    return { ...registration, outcome };
  }

  @Delete('register/:volume_name/:path')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unregister a target; the path is URL-encoded (%2Frecordings).' })
  @ApiParam({ name: 'volume_name' })
  @ApiParam({ name: 'path', description: 'URL-encoded path relative to the volume root' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiResponse({ status: 404, description: 'No such registration' })
  async unregister(@Param('volume_name') volumeName: string, @Param('path') rawPath: string): Promise<void> {
    const volumeProblem = checkVolumeName(volumeName);
    if (volumeProblem) throw new ValidationError(`volume_name: ${volumeProblem}`, 'volume_name');
    const normalised = normaliseTargetPath(rawPath);
    if ('problem' in normalised) throw new ValidationError(`path: ${normalised.problem}`, 'path');
    await this.registrations.remove(volumeName, normalised.path);
  }

  @Get('registrations')
  @ApiOperation({ summary: 'Every registration.' })
  list(): Registration[] {
    return this.registrations.list();
  }

  @Get('registrations/export')
  @ApiOperation({ summary: 'Export every registration (backup); POST it back to /api/registrations/import.' })
  export(): RegistrationExport {
    return this.registrations.export();
  }

  @Post('registrations/import')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import registrations atomically: merge (default) or replace; ?dry_run=true to preview.' })
  @ApiBody({ schema: IMPORT_BODY_SCHEMA })
  @ApiQuery({ name: 'mode', required: false, enum: ['merge', 'replace'] })
  @ApiQuery({ name: 'dry_run', required: false, type: Boolean })
  async import(
    @Body() body: unknown,
    @Query('mode') mode: unknown,
    @Query('dry_run') dryRun: unknown,
  ): Promise<ImportSummary> {
    const parsed = parseImport(body, mode);
    return this.registrations.import(parsed.registrations, parsed.mode, parseBooleanQuery(dryRun, 'dry_run') ?? false);
  }

  @Get('registrations/:id')
  @ApiOperation({ summary: 'One registration by id.' })
  get(@Param('id') id: string): Registration {
    return this.registrations.get(id);
  }
}
