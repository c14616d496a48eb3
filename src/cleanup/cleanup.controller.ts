import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isPlainObject } from '../policies/policy-params.js';
import { validationError } from '../registration/registration.schema.js';
import { RegistrationService } from '../registration/registration.service.js';
import { checkVolumeName, normaliseTargetPath } from '../registration/target-path.js';
import type { Registration } from '../state/state.model.js';
import type { CleanupReport, PreviewReport } from './cleanup-report.js';
import { CleanupService } from './cleanup.service.js';
import { QuarantineService } from './quarantine.service.js';

export interface CleanupRunResponse {
  targets: CleanupReport[];
  totals: { files: number; bytes: number };
}

@ApiTags('cleanup')
@Controller('api')
export class CleanupController {
  constructor(
    private readonly cleanup: CleanupService,
    private readonly registrations: RegistrationService,
    private readonly quarantine: QuarantineService,
  ) {}

  @Post('cleanup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the policies now: every target, one volume, or one target; dry_run to only plan.' })
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { volume_name: { type: 'string' }, path: { type: 'string' }, dry_run: { type: 'boolean' } },
    },
  })
  async run(@Body() body: unknown): Promise<CleanupRunResponse> {
    const request = body ?? {};
    if (!isPlainObject(request)) throw validationError([{ field: 'body', message: 'must be a JSON object' }]);
    const problems = Object.keys(request)
      .filter((k) => !['volume_name', 'path', 'dry_run'].includes(k))
      .map((k) => ({ field: k, message: 'is not a known field (accepted: volume_name, path, dry_run)' }));
    const volumeProblem = request.volume_name === undefined ? undefined : checkVolumeName(request.volume_name);
    if (volumeProblem) problems.push({ field: 'volume_name', message: volumeProblem });
    let targetPath: string | undefined;
    if (request.path !== undefined) {
      if (request.volume_name === undefined) problems.push({ field: 'path', message: 'needs volume_name' });
      const normalised = normaliseTargetPath(request.path);
      if ('problem' in normalised) problems.push({ field: 'path', message: normalised.problem });
      else targetPath = normalised.path;
    }
    if (request.dry_run !== undefined && typeof request.dry_run !== 'boolean') problems.push({ field: 'dry_run', message: 'must be true or false' });
    if (problems.length > 0) throw validationError(problems);

    const selected = this.registrations
      .list()
      .filter((r) => (request.volume_name === undefined || r.volume_name === request.volume_name) && (targetPath === undefined || r.path === targetPath));
    if (targetPath !== undefined && selected.length === 0) {
      throw validationError([{ field: 'path', message: `no registration for volume "${String(request.volume_name)}" path "${targetPath}"` }]);
    }
    const targets: CleanupReport[] = [];
    for (const registration of selected) {
      targets.push(await this.cleanup.request(registration, 'manual', { dryRun: request.dry_run === true }));
    }
    return {
      targets,
      totals: { files: targets.reduce((n, t) => n + t.files, 0), bytes: targets.reduce((n, t) => n + t.bytes, 0) },
    };
  }

  @Get('registrations/:id/preview')
  @ApiOperation({ summary: 'What the policy would delete right now: count, bytes, the first 100 paths.' })
  preview(@Param('id') id: string): Promise<PreviewReport> {
    return this.cleanup.preview(this.registrations.get(id));
  }

  @Post('registrations/:id/unquarantine')
  @HttpCode(200)
  @ApiOperation({ summary: 'Let a quarantined target be cleaned again.' })
  unquarantine(@Param('id') id: string): Promise<Registration> {
    return this.quarantine.release(this.registrations.get(id));
  }
}
