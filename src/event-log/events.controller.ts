import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '../common/errors.js';
import { parseIntegerQuery, parseStringQuery } from '../common/query.js';
import { parseIsoInstant } from '../policies/param-types.js';
import { EventLogRepository } from './event-log.repository.js';
import { EVENT_TYPES, type EventQuery, type EventRecord } from './event.types.js';

export interface EventPage {
  events: Array<Omit<EventRecord, 'at'> & { at: string }>;
  /** Pass as `since` to get the events after this page. */
  next_since: number | null;
}

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(private readonly log: EventLogRepository) {}

  @Get()
  @ApiOperation({ summary: 'Read the event log (ascending seq). Without since: the latest events.' })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 100' })
  @ApiQuery({ name: 'type', required: false, description: 'Comma-separated types; a trailing ".*" matches a family' })
  @ApiQuery({ name: 'target', required: false, description: 'Target key "volume:/path"' })
  @ApiQuery({ name: 'since', required: false, description: 'A seq (events after it) or an ISO 8601 instant' })
  async list(
    @Query('limit') limit: unknown,
    @Query('type') type: unknown,
    @Query('target') target: unknown,
    @Query('since') since: unknown,
  ): Promise<EventPage> {
    const query: { -readonly [K in keyof EventQuery]: EventQuery[K] } = {
      limit: parseIntegerQuery(limit, 'limit', 1, 1000) ?? 100,
      target: parseStringQuery(target, 'target', 4400),
    };
    const types = parseStringQuery(type, 'type');
    if (types !== undefined) {
      const wanted = types.split(',').map((t) => t.trim()).filter((t) => t !== '');
      const families = wanted.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
      const exact = wanted.filter((t) => !t.endsWith('.*'));
      for (const name of exact) {
        if (!(EVENT_TYPES as readonly string[]).includes(name)) {
          throw new ValidationError(`type: unknown event type "${name}" (known: ${EVENT_TYPES.join(', ')})`, 'type');
        }
      }
      if (families.length > 1 || (families.length === 1 && exact.length > 0)) {
        throw new ValidationError('type: give either one family ("registration.*") or a list of exact types', 'type');
      }
      if (families.length === 1) query.typePrefix = families[0];
      else query.types = exact;
    }
    const sinceText = parseStringQuery(since, 'since', 64);
    if (sinceText !== undefined) {
      if (/^\d+$/.test(sinceText)) query.afterSeq = Number(sinceText);
      else {
        const instant = parseIsoInstant(sinceText);
        if (!instant) throw new ValidationError('since: must be an event seq or an ISO 8601 instant with a time zone', 'since');
        query.since = instant;
      }
    }
    const events = await this.log.find(query);
    return {
      events: events.map((e) => ({ ...e, at: e.at.toISOString() })),
      next_since: events.length > 0 ? events[events.length - 1]!.seq : (query.afterSeq ?? null),
    };
  }
}
