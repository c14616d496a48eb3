import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, cleanupRunResponse, emergencyReportResponse, previewResponse, registrationResponse } from '../api-docs/responses.js';
import { ApiZodBody, ApiZodResponse } from '../api-docs/zod-openapi.js';
import { isPlainObject, objectErrors, validationError } from '../common/zod-problems.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { targetPathField, volumeNameField } from '../registration/registration.schema.js';
import { RegistrationService } from '../registration/registration.service.js';
import type { Registration } from '../state/state.model.js';
import type { CleanupReport, PreviewReport } from './cleanup-report.js';
import { CleanupService } from './cleanup.service.js';
import { EmergencyService, type EmergencyReport } from './emergency.service.js';
import { QuarantineService } from './quarantine.service.js';

export interface CleanupRunResponse {
  targets: CleanupReport[];
  totals: { files: number; bytes: number };
}

/** The body of POST /api/cleanup: every target, one volume's, or one target; none at all means every target. */
const cleanupRequest = z.preprocess(
  (body) => body ?? {},
  z
    .strictObject(
      {
        volume_name: volumeNameField().optional(),
        path: targetPathField().optional().describe('Needs volume_name'),
        dry_run: z.boolean({ error: 'must be true or false' }).optional(),
      },
      { error: objectErrors('must be a JSON object', ['volume_name', 'path', 'dry_run']) },
    )
    .superRefine(
      (request, ctx) => {
        if (request.path !== undefined && request.volume_name === undefined) {
          ctx.addIssue({ code: 'custom', path: ['path'], message: 'needs volume_name' });
        }
      },
      { when: (payload) => isPlainObject(payload.value) },
    ),
).meta({ id: 'CleanupRequest' });
type CleanupRequest = z.output<typeof cleanupRequest>;

/** The body of POST /api/emergency-cleanup: every filesystem, or the one holding a volume. */
const emergencyRequest = z.preprocess(
  (body) => body ?? {},
  z.strictObject(
    {
      volume_name: volumeNameField().optional().describe("Only this volume's targets (on its filesystem)"),
      dry_run: z.boolean({ error: 'must be true or false' }).optional(),
      force: z.boolean({ error: 'must be true or false' }).optional().describe('Run every emergency policy, even below the critical threshold'),
    },
    { error: objectErrors('must be a JSON object', ['volume_name', 'dry_run', 'force']) },
  ),
).meta({ id: 'EmergencyCleanupRequest' });
type EmergencyRequest = z.output<typeof emergencyRequest>;

@ApiTags('cleanup')
@Controller('api')
export class CleanupController {
  constructor(
    private readonly cleanup: CleanupService,
    private readonly registrations: RegistrationService,
    private readonly quarantine: QuarantineService,
    private readonly emergencyCleanup: EmergencyService,
  ) {}

  @Post('cleanup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the policies now: every target, one volume, or one target; dry_run to only plan.' })
  @ApiZodBody(cleanupRequest, { required: false })
  @ApiZodResponse(200, cleanupRunResponse, 'One report per target, and the totals')
  @ApiErrors(400, 401, 413, 415)
  async run(@Body(new ZodValidationPipe(cleanupRequest)) request: CleanupRequest): Promise<CleanupRunResponse> {
    const selected = this.registrations
      .list()
      .filter(
        (r) =>
          (request.volume_name === undefined || r.volume_name === request.volume_name) &&
          (request.path === undefined || r.path === request.path),
      );
    if (request.path !== undefined && selected.length === 0) {
      throw validationError([{ field: 'path', message: `no registration for volume "${String(request.volume_name)}" path "${request.path}"` }]);
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

  @Post('emergency-cleanup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the emergency policies now, by priority, until each filesystem is below the critical threshold.' })
  @ApiZodBody(emergencyRequest, { required: false })
  @ApiZodResponse(200, emergencyReportResponse, 'Per filesystem: usage before and after, what each target gave')
  @ApiErrors(400, 401, 413, 415)
  emergency(@Body(new ZodValidationPipe(emergencyRequest)) request: EmergencyRequest): Promise<EmergencyReport> {
    return this.emergencyCleanup.run({ volumeName: request.volume_name }, { dryRun: request.dry_run === true, automatic: false, force: request.force === true });
  }

  @Get('registrations/:id/preview')
  @ApiOperation({ summary: 'What the policy would delete right now: count, bytes, the first 100 paths.' })
  @ApiZodResponse(200, previewResponse, 'The plan, nothing deleted')
  @ApiErrors(404)
  preview(@Param('id') id: string): Promise<PreviewReport> {
    return this.cleanup.preview(this.registrations.get(id));
  }

  @Post('registrations/:id/unquarantine')
  @HttpCode(200)
  @ApiOperation({ summary: 'Let a quarantined target be cleaned again.' })
  @ApiZodResponse(200, registrationResponse, 'The registration, out of quarantine')
  @ApiErrors(401, 404)
  unquarantine(@Param('id') id: string): Promise<Registration> {
    return this.quarantine.release(this.registrations.get(id));
  }
}
