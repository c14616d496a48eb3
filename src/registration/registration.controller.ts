import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, deployResponse, exportResponse, importResponse, registerResponse, registrationResponse } from '../api-docs/responses.js';
import { ApiZodBody, ApiZodQuery, ApiZodResponse } from '../api-docs/zod-openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import type { Registration } from '../state/state.model.js';
import { deployBody, projectNameField, type DeployBody } from './deploy.schema.js';
import { importBody, importMode, importQuery, type ImportBody, type ImportQuery } from './import.schema.js';
import { deployRequestDocument, importRequestDocument, registerRequestDocument } from './registration.openapi.js';
import { registrationBody, targetPathField, volumeNameField, type RegistrationInput } from './registration.schema.js';
import { RegistrationService, type DeploySummary, type ImportSummary, type RegistrationExport } from './registration.service.js';

@ApiTags('registrations')
@Controller('api')
export class RegistrationController {
  constructor(private readonly registrations: RegistrationService) {}

  @Post('register')
  @ApiOperation({ summary: 'Register (or update) a target: a path inside a volume with a policy. Idempotent.' })
  @ApiZodBody(registerRequestDocument)
  @ApiZodResponse(201, registerResponse, 'Created')
  @ApiZodResponse(200, registerResponse, 'Updated or unchanged')
  @ApiErrors(400, 401, 413, 415, 422)
  async register(
    @Body(new ZodValidationPipe(registrationBody)) body: RegistrationInput,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Registration & { outcome: string }> {
    const { outcome, registration } = await this.registrations.upsert(body);
    response.status(outcome === 'created' ? 201 : 200);
    return { ...registration, outcome };
  }

  @Delete('register/:volume_name/:path')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unregister a target; the path is URL-encoded (%2Frecordings).' })
  @ApiParam({ name: 'volume_name' })
  @ApiParam({ name: 'path', description: 'URL-encoded path relative to the volume root' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiErrors(400, 401, 404)
  async unregister(
    @Param('volume_name', new ZodValidationPipe(volumeNameField())) volumeName: string,
    @Param('path', new ZodValidationPipe(targetPathField())) targetPath: string,
  ): Promise<void> {
    await this.registrations.remove(volumeName, targetPath);
  }

  @Get('registrations')
  @ApiOperation({ summary: 'Every registration.' })
  @ApiZodResponse(200, registrationResponse.array(), 'Every registration')
  list(): Registration[] {
    return this.registrations.list();
  }

  @Get('registrations/export')
  @ApiOperation({ summary: 'Export every registration (backup); POST it back to /api/registrations/import.' })
  @ApiZodResponse(200, exportResponse, 'The export document')
  export(): RegistrationExport {
    return this.registrations.export();
  }

  @Post('registrations/import')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import registrations atomically: merge (default) or replace; ?dry_run=true to preview.' })
  @ApiZodBody(importRequestDocument)
  @ApiZodQuery(importQuery)
  @ApiZodResponse(200, importResponse, 'What the import changed (or would change, with dry_run)')
  @ApiErrors(400, 401, 413, 415, 422)
  async import(
    @Body(new ZodValidationPipe(importBody)) body: ImportBody,
    @Query(new ZodValidationPipe(importQuery)) query: ImportQuery,
  ): Promise<ImportSummary> {
    return this.registrations.import(body.registrations, importMode(body, query), query.dry_run ?? false);
  }

  @Put('projects/:project/registrations')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Deploy-time registration: set a compose project's registrations atomically (create, update, and remove the ones it no longer declares); dry_run to preview.",
  })
  @ApiParam({ name: 'project', description: 'The compose project name (lowercase letters, digits, _ and -)' })
  @ApiZodBody(deployRequestDocument)
  @ApiZodResponse(200, deployResponse, 'What the deploy changed (or would change, with dry_run), target by target')
  @ApiErrors(400, 401, 409, 413, 415, 422)
  async deploy(
    @Param('project', new ZodValidationPipe(projectNameField())) project: string,
    @Body(new ZodValidationPipe(deployBody)) body: DeployBody,
  ): Promise<DeploySummary> {
    return this.registrations.deploy(project, body.registrations, body.dry_run ?? false);
  }

  @Get('registrations/:id')
  @ApiOperation({ summary: 'One registration by id.' })
  @ApiZodResponse(200, registrationResponse, 'The registration')
  @ApiErrors(404)
  get(@Param('id') id: string): Registration {
    return this.registrations.get(id);
  }
}
