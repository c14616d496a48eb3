import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, eventPageResponse } from '../api-docs/responses.js';
import { ApiZodQuery, ApiZodResponse } from '../api-docs/zod-openapi.js';
import { queryInteger, queryString } from '../common/query.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { parseIsoInstant } from '../policies/param-types.js';
import { EventLogRepository } from './event-log.repository.js';
import { EVENT_TYPES, type DeletionRecord, type EventQuery, type EventRecord } from './event.types.js';

export interface EventPage {
  events: Array<Omit<EventRecord, 'at'> & { at: string }>;
  /** Pass as `since` to get the events after this page. */
  next_since: number | null;
  /** With `path`: every deletion of that path on record (newest first), with the rule and trigger that did it. */
  deletions?: Array<Omit<DeletionRecord, 'at'> & { at: string }>;
}

type EventsRequest = EventQuery & { readonly path?: string; readonly volumeName?: string };

/** `type`: a list of exact types, or one family (`registration.*`). */
function eventTypes(text: string | undefined, ctx: z.RefinementCtx): Pick<EventQuery, 'types' | 'typePrefix'> {
  if (text === undefined) return {};
  const wanted = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const families = wanted.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
  const exact = wanted.filter((t) => !t.endsWith('.*'));
  const unknown = exact.find((name) => !(EVENT_TYPES as readonly string[]).includes(name));
  if (unknown !== undefined) {
    ctx.addIssue({ code: 'custom', message: `unknown event type "${unknown}" (known: ${EVENT_TYPES.join(', ')})` });
  } else if (families.length > 1 || (families.length === 1 && exact.length > 0)) {
    ctx.addIssue({ code: 'custom', message: 'give either one family ("registration.*") or a list of exact types' });
  }
  return families.length === 1 ? { typePrefix: families[0] } : { types: exact };
}

/** `since`: a seq (the events after it) or an instant. */
function eventsSince(text: string | undefined, ctx: z.RefinementCtx): Pick<EventQuery, 'afterSeq' | 'since'> {
  if (text === undefined) return {};
  if (/^\d+$/.test(text)) return { afterSeq: Number(text) };
  const instant = parseIsoInstant(text);
  if (!instant) ctx.addIssue({ code: 'custom', message: 'must be an event seq or an ISO 8601 instant with a time zone' });
  return { since: instant };
}

/** The query of GET /api/events. */
const eventsQuery = z
  .object({
    limit: queryInteger(1, 1000).describe('1..1000, default 100'),
    type: queryString(1024).transform(eventTypes).describe('Comma-separated types; a trailing ".*" matches a family'),
    target: queryString(4400).describe('Target key "volume:/path"'),
    since: queryString(64).transform(eventsSince).describe('A seq (events after it) or an ISO 8601 instant'),
    path: queryString(4400).describe(
      'A file path relative to its volume ("/recordings/2026/a.mp4", in the file-name escape): only the cleanups that deleted it, with `deletions`',
    ),
    volume_name: queryString(255).describe('With path: only that volume'),
  })
  .transform(
    (query): EventsRequest => ({
      limit: query.limit ?? 100,
      target: query.target,
      ...query.type,
      ...query.since,
      path: query.path === undefined ? undefined : query.path.startsWith('/') ? query.path : `/${query.path}`,
      volumeName: query.volume_name,
    }),
  );

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(private readonly log: EventLogRepository) {}

  @Get()
  @ApiOperation({ summary: 'Read the event log (ascending seq). Without since: the latest events.' })
  @ApiZodQuery(eventsQuery)
  @ApiZodResponse(200, eventPageResponse, 'A page of events')
  @ApiErrors(400)
  async list(@Query(new ZodValidationPipe(eventsQuery)) request: EventsRequest): Promise<EventPage> {
    const { path, volumeName, ...query } = request;
    const deletions = path === undefined ? undefined : await this.log.findDeletions({ path, volumeName, limit: query.limit });
    const events = await this.log.find(deletions ? { ...query, seqs: [...new Set(deletions.map((d) => d.seq))] } : query);
    return {
      events: events.map((e) => ({ ...e, at: e.at.toISOString() })),
      next_since: events.length > 0 ? events[events.length - 1]!.seq : (query.afterSeq ?? null),
      ...(deletions ? { deletions: deletions.map((d) => ({ ...d, at: d.at.toISOString() })) } : {}),
    };
  }
}
