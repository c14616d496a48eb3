import { applyDecorators } from '@nestjs/common';
import { z } from 'zod';
import { TRIGGERS } from '../cleanup/cleanup-report.js';
import { ALERT_KINDS } from '../event-log/event.types.js';
import { REGISTRATION_SOURCES } from '../state/state.model.js';
import { TIERS } from '../tiers/tier.js';
import { ApiZodResponse } from './zod-openapi.js';

/**
 * Schemas of the JSON the API answers with, for the OpenAPI document (and so for the typed client). The
 * OpenAPI end-to-end test checks the real answers against them.
 */

const instant = z.string().meta({ format: 'date-time', example: '2026-01-15T08:30:00Z' });
const count = z.int().min(0);
const jsonObject = z.record(z.string(), z.unknown());
/** How file paths are shown (src/common/file-name.ts): the same words wherever the API lists files. */
const ESCAPED =
  'File names are bytes: a name that is not valid UTF-8 is shown with a lossless escape, `\\xHH` for each such byte ' +
  '(also for control characters and U+FFFD), `\\\\` for a backslash; every other character stands for itself.';
const filePaths = z.array(z.string());

export const errorResponse = z
  .object({
    statusCode: z.int().min(400).max(599),
    error: z.string().meta({ example: 'invalid_request' }),
    message: z.string(),
    field: z.string().optional().describe('The field at fault: params.max_bytes, registrations[3].path, limit, body'),
    details: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Every problem, when there is more than one'),
  })
  .meta({ id: 'ErrorBody' });

const quarantine = z.object({ since: instant, reason: z.string() });

export const registrationResponse = z
  .object({
    id: z.string().meta({ format: 'uuid' }),
    volume_name: z.string(),
    path: z.string(),
    algorithm: z.string(),
    params: jsonObject,
    description: z.string().nullable(),
    source: z.enum(REGISTRATION_SOURCES),
    owner: z.string().nullable().describe("For label registrations: the owning container's id"),
    status: z.enum(['active', 'pending']),
    quarantine: quarantine.nullable(),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ id: 'Registration' });

export const registerResponse = registrationResponse
  .extend({ outcome: z.enum(['created', 'updated', 'unchanged']) })
  .meta({ id: 'RegisterResult' });

export const exportResponse = z
  .object({ version: z.literal(1), exported_at: instant, registrations: z.array(registrationResponse) })
  .meta({ id: 'RegistrationExport' });

export const importResponse = z
  .object({
    mode: z.enum(['merge', 'replace']),
    dry_run: z.boolean(),
    created: count,
    updated: count,
    unchanged: count,
    removed: count,
  })
  .meta({ id: 'ImportSummary' });

const targetRef = z.object({ volume_name: z.string(), path: z.string() }).meta({ id: 'TargetRef' });

export const deployResponse = z
  .object({
    project: z.string(),
    dry_run: z.boolean(),
    created: z.array(targetRef),
    updated: z.array(targetRef),
    removed: z.array(targetRef).describe('Registrations the project declared before and no longer does'),
    unchanged: z.array(targetRef),
  })
  .meta({ id: 'DeploySummary' });

export const maintenanceResponse = z
  .object({ enabled: z.boolean(), reason: z.string().nullable(), since: instant.nullable() })
  .meta({ id: 'MaintenanceState' });

export const eventPageResponse = z
  .object({
    events: z.array(
      z.object({
        seq: z.int().min(1),
        at: instant,
        type: z.string().meta({ example: 'registration.created' }),
        target: z.string().nullable().describe('Target key "volume:/path"'),
        payload: jsonObject,
      }),
    ),
    next_since: z.int().nullable().describe('Pass as since to get the events after this page'),
    deletions: z
      .array(
        z.object({
          volume_name: z.string(),
          path: z.string().describe('Relative to the volume root, in the file-name escape'),
          bytes: z.int().min(0),
          seq: z.int().min(1).describe('The event that recorded the deletion'),
          type: z.enum(['cleanup.completed', 'cleanup.interrupted']),
          at: instant.describe('When the run was recorded (deleted no later than this)'),
          target: z.string().nullable(),
          trigger: z.string().nullable().meta({ example: 'threshold' }),
          algorithm: z.string().nullable().meta({ example: 'max_size' }),
          reason: z.string().nullable(),
          run: z.string().nullable(),
        }),
      )
      .optional()
      .describe('With path: every deletion of it on record, newest first'),
  })
  .meta({ id: 'EventPage' });

const usageSource = z
  .enum(['index', 'scan', 'engine'])
  .nullable()
  .describe("index: a target's live index covers the tree; engine: the Docker Engine's disk-usage report; scan: the last background walk; null: not measured yet");

export const volumeResponse = z
  .object({
    volume_name: z.string(),
    current_bytes: count.nullable(),
    current_bytes_source: usageSource,
    current_bytes_measured_at: instant.nullable().describe('When current_bytes was measured; null while the first background walk is under way'),
    containers: z.array(z.string()),
    driver: z.string(),
    created_at: instant.nullable(),
    registrations: z.array(
      z.object({
        id: z.string(),
        path: z.string(),
        algorithm: z.string(),
        params: jsonObject,
        description: z.string().nullable(),
        status: z.enum(['active', 'pending']),
        path_bytes: count.nullable(),
        path_bytes_source: usageSource,
        path_bytes_measured_at: instant.nullable(),
        tier: z.enum(TIERS).describe("The target's own tier: warning_bytes/critical_bytes, blocked or quarantined"),
        last_cleaned: instant.nullable(),
        files_removed_last_run: count.nullable(),
      }),
    ),
    tier: z.enum(TIERS),
    status: z.enum(['available', 'missing', 'unknown']).describe('unknown: named by registrations, not listed, and its Docker Engine cannot be asked now'),
    source: z.enum(['directory', 'root', 'docker']).nullable().describe('SM_VOLUMES_DIR, SM_ROOTS or the Docker Engine; null when missing'),
    mountpoint: z.string().nullable().describe("Where its data is, as the manager sees it (SM_HOST_ROOT prefixed)"),
    labels: z.record(z.string(), z.string()).describe("The volume's own labels (Docker)"),
    manageable: z.boolean().describe('false: listed only (a driver without a local mountpoint), never measured or cleaned'),
    unmanageable_reason: z.string().nullable(),
  })
  .meta({ id: 'Volume' });

const blocked = z
  .object({ reason: z.string(), overBy: z.number(), unit: z.enum(['bytes', 'files']) })
  .nullable()
  .describe('Set when the cap cannot be met even after deleting every candidate');

export const cleanupReport = z
  .object({
    id: z.string(),
    volume_name: z.string(),
    path: z.string(),
    trigger: z.enum(TRIGGERS),
    dry_run: z.boolean(),
    status: z.enum(['done', 'skipped', 'failed']),
    detail: z.string().nullable(),
    files: count,
    bytes: count,
    first_paths: filePaths.describe(`The first deleted (or, in a dry run, planned) paths, relative to the target. ${ESCAPED}`),
    skipped: count,
    errors: count,
    blocked,
    next_run_at: instant.nullable(),
    duration_ms: z.number().min(0),
  })
  .meta({ id: 'CleanupReport' });

export const cleanupRunResponse = z
  .object({ targets: z.array(cleanupReport), totals: z.object({ files: count, bytes: count }) })
  .meta({ id: 'CleanupRun' });

export const previewResponse = z
  .object({
    id: z.string(),
    files: count,
    bytes: count,
    paths: filePaths.describe(`The first 100 paths, in deletion order, relative to the target. ${ESCAPED}`),
    reason: z.string(),
    blocked,
    next_run_at: instant.nullable(),
  })
  .meta({ id: 'Preview' });

export const healthResponse = z
  .object({
    status: z.enum(['ok', 'degraded', 'unhealthy']),
    version: z.string(),
    started_at: instant,
    uptime_seconds: z.number(),
    problems: z.array(z.string()),
    database: z.object({
      status: z.enum(['ok', 'down']),
      driver: z.string(),
      events: count.optional(),
      last_seq: count.optional(),
      size_bytes: count.optional(),
      error: z.string().optional(),
      writes: z
        .object({
          status: z.enum(['ok', 'unavailable', 'full']),
          since: instant.nullable(),
          error: z.string().nullable(),
          spooled: count.describe('Events held in memory, written in order once the database takes them'),
          dropped: count.describe('Events dropped since start because the spool was full'),
        })
        .describe('Whether writes go through (cleanup goes on either way)'),
    }),
    state_disk: z
      .object({
        path: z.string(),
        full: z.boolean(),
        since: instant.nullable(),
        available_bytes: count.nullable(),
        reserve_bytes: count,
        reserve_target_bytes: count,
      })
      .describe("The manager's own disk (SM_DATA_DIR) and its reserve file"),
    scheduler: z.object({
      running: z.boolean(),
      jobs: z.array(
        z.object({
          name: z.string(),
          interval_seconds: z.number(),
          running: z.boolean(),
          runs: count,
          last_run: instant.nullable(),
          last_duration_ms: z.number().nullable(),
          last_error: z.string().nullable(),
          next_run: instant.nullable(),
        }),
      ),
    }),
    measuring: z.array(
      z.object({
        id: z.string(),
        root: z.string(),
        files: count,
        bytes: count,
        watching: z.boolean(),
        watch: z
          .object({
            mode: z.enum(['native', 'partial', 'poll', 'sweeps']),
            directories_watched: count.nullable(),
            directories_unwatched: count.nullable(),
            reason: z.string().nullable(),
            sweep_seconds: z.number().nullable(),
          })
          .describe(
            'native: every directory watched; partial: some directories could not have a kernel watch (the inotify watch limit, named in reason) and are listed and re-read every sweep_seconds instead, and watching them is retried then; poll: polled; sweeps: not watched, full sweeps only. The counts are null for adapters that do not tell.',
          ),
        ready: z.boolean().describe('First scan done and watch set up'),
        watch_errors: count,
        last_scan: instant.nullable(),
        scan_errors: count.describe("Entries the last scan could not read (permissions, or paths longer than the OS takes): not counted, never deleted"),
        scanning: z.object({ files_so_far: count, started_at: instant }).nullable(),
      }),
    ),
    measured: z
      .object({
        targets: count,
        ready: count.describe('Targets first-scanned and watched'),
        all_ready_at: instant.nullable().describe('Since when every measured target is (null while one is still on its first scan)'),
      })
      .describe('How far measuring has come: after a start or an import, ready = targets once every target is scanned and watched'),
    blocked: z.array(z.object({ target: z.string(), reason: z.string(), since: instant })),
    maintenance: maintenanceResponse,
    docker: z
      .object({
        status: z.enum(['disabled', 'connecting', 'up', 'down']),
        host: z.string().nullable(),
        since: instant.nullable().describe('Since when the status holds'),
        last_error: z.string().nullable(),
        version: z.string().nullable(),
        api_version: z.string().nullable(),
        events: z.boolean().describe("Whether the Engine's event stream is open (labels and volumes followed at once)"),
        last_listing: instant.nullable(),
        volumes: count,
        containers: count,
        disk_usage_at: instant.nullable().describe("When the Engine's disk-usage report (volume sizes) was last read"),
        disk_usage_error: z.string().nullable(),
      })
      .describe('The Docker Engine (SM_DOCKER_HOST); down makes the status degraded, never unhealthy'),
    volumes: z.array(
      z.object({
        volume_name: z.string(),
        status: z.enum(['available', 'missing']),
        registrations: count,
        pending: count,
        quarantined: count,
      }),
    ),
    filesystems: z.array(
      z.object({
        mountpoint: z.string(),
        fs_type: z.string(),
        device: z.number(),
        volumes: z.array(z.string()).describe('Volume names on this filesystem, and "(data directory)"'),
        total_bytes: count,
        available_bytes: count,
        used_ratio: z.number(),
        inode_ratio: z.number(),
        tier: z.enum(TIERS),
        measured_at: instant,
        growth_bytes_per_hour: z.number().nullable().describe('Growth of the upper envelope of usage (resists bursts and cleanup sawtooth)'),
        full_in_hours: z.number().nullable().describe('At that growth; null when not growing or too little history'),
      }),
    ),
    targets: z
      .array(z.object({ target: z.string(), tier: z.enum(TIERS), since: instant.nullable() }))
      .describe('Targets out of the ok tier'),
  })
  .meta({ id: 'Health' });

export const storageReportResponse = z
  .object({
    status: z.enum(TIERS).describe('The worst tier of any filesystem or target'),
    summary: z.array(z.string()).describe('What needs attention, worst first, in sentences'),
    filesystems: z.array(z.object({ mountpoint: z.string(), volumes: z.array(z.string()), tier: z.enum(TIERS), text: z.string() })),
    targets: z.array(z.object({ target: z.string(), tier: z.enum(TIERS), text: z.string() })),
  })
  .meta({ id: 'StorageReport' });

export const emergencyReportResponse = z
  .object({
    dry_run: z.boolean(),
    automatic: z.boolean(),
    filesystems: z.array(
      z.object({
        mountpoint: z.string(),
        before_ratio: z.number(),
        after_ratio: z.number(),
        outcome: z.enum(['below_critical', 'targets_exhausted', 'nothing_to_do']),
        targets: z.array(
          z.object({
            id: z.string(),
            volume_name: z.string(),
            path: z.string(),
            priority: z.number(),
            status: z.enum(['done', 'skipped', 'failed']),
            detail: z.string().nullable(),
            files: count,
            bytes: count,
            first_paths: filePaths.describe(`The first paths deleted (or planned), relative to the target. ${ESCAPED}`),
          }),
        ),
      }),
    ),
    totals: z.object({ files: count, bytes: count }),
  })
  .meta({ id: 'EmergencyReport' });

const alertMessage = z.object({
  id: z.string(),
  scope: z.string(),
  kind: z.enum(ALERT_KINDS),
  tier: z.enum(TIERS),
  status: z.enum(['firing', 'resolved']),
  title: z.string(),
  text: z.string(),
  details: jsonObject,
  at: instant,
  resolves: z.string().optional(),
  repeat: z.boolean().optional(),
});

export const alertsResponse = z
  .object({
    active: z.array(
      z.object({
        scope: z.string().describe('filesystem:<mountpoint>, target:<volume>:<path>, channel:<name>'),
        kind: z.string(),
        id: z.string().describe('Id of the raise (empty when it was suppressed)'),
        tier: z.enum(TIERS),
        since: instant,
        sent: z.boolean(),
        last_sent_at: instant.nullable(),
        message: alertMessage.nullable(),
      }),
    ),
    channels: z.array(
      z.object({
        channel: z.string(),
        pending: count.describe('Alerts waiting for this channel'),
        failing: z.object({ since: instant, error: z.string() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'Alerts' });

export const alertTestResponse = z
  .object({ channels: z.array(z.object({ channel: z.string(), ok: z.boolean(), error: z.string().nullable(), duration_ms: count })) })
  .meta({ id: 'AlertTest' });

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Invalid request: the message and `field` name the fault',
  401: 'Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set)',
  404: 'No such registration',
  409: 'A declared target is registered by someone else (the API, labels, an import or another project): `field` and `details` name each one; nothing changed',
  413: 'The body is larger than SM_MAX_BODY_BYTES',
  415: 'The body is not JSON (content-type application/json, utf-8)',
  422: "The target is refused: it resolves outside its volume or would hold the manager's own data directory",
};

/** Documents the error answers a route can give, each with the error body. */
export function ApiErrors(...statuses: Array<keyof typeof ERROR_MEANINGS>): MethodDecorator {
  return applyDecorators(...statuses.map((status) => ApiZodResponse(status, errorResponse, ERROR_MEANINGS[status]!)));
}
