import { setTimeout as delay } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import type { components } from '../api-schema.js';
import { expectStatus, type ApiClient } from '../client.js';
import { contextOf, positiveInteger } from '../context.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { bytes, instant, type Output } from '../output.js';

type EventPage = components['schemas']['EventPage'];
type EventItem = EventPage['events'][number];

interface EventsOptions {
  since?: string;
  follow?: boolean;
  type?: string;
  target?: string;
  limit: number;
  interval: number;
  json?: boolean;
}

function since(value: string): string {
  if (!/^\d+$/.test(value) && Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('give an event seq (1234) or an ISO 8601 instant (2026-03-01T12:00:00Z)');
  return value;
}

export function eventsCommand(): Command {
  return new Command('events')
    .description('Read the event log: the latest events, the ones after --since, and with --follow the new ones as they come')
    .option('--since <seq|instant>', 'events after this seq (or since this ISO 8601 instant)', since)
    .option('-F, --follow', 'keep polling for new events until interrupted (Ctrl-C)')
    .option('--type <types>', 'comma-separated types, or one family ("registration.*")')
    .option('--target <key>', 'only one target ("camera-footage:/recordings")')
    .option('--limit <n>', 'events per request (1..1000); without --since, how many of the latest to show', positiveInteger('--limit'), 20)
    .option('--interval <ms>', 'with --follow: milliseconds between polls', positiveInteger('--interval'), 1000)
    .option('--json', 'one JSON object per line (NDJSON)')
    .addHelpText(
      'after',
      `
Examples:
  storage-manager events --type "registration.*"
  storage-manager events --since 1200 --json
  storage-manager events --follow --target camera-footage:/recordings
${EXIT_CODES_HELP}
  events --follow ends with 0 on Ctrl-C (SIGINT) or SIGTERM.`,
    )
    .action(async (options: EventsOptions, command: Command) => {
      const context = contextOf(command);
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      if (options.follow) {
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      }
      try {
        await readEvents(context.client(stop.signal), context.output, options, stop.signal);
      } catch (error) {
        if (!stop.signal.aborted) throw error;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

async function readEvents(client: ApiClient, output: Output, options: EventsOptions, signal: AbortSignal): Promise<void> {
  const query = (after: string | undefined) => ({ limit: Math.min(options.limit, 1000), type: options.type, target: options.target, since: after });
  const page = async (after: string | undefined): Promise<EventPage> => expectStatus(await client.call('get', '/api/events', { query: query(after) }), 200).body;
  let cursor = options.since;
  // Without --since: the latest events. With it: every page after it.
  for (;;) {
    const current = await page(cursor);
    for (const event of current.events) print(output, event, options.json === true);
    if (current.next_since !== null) cursor = String(current.next_since);
    if (cursor === undefined || options.since === undefined || current.events.length < query(cursor).limit) break;
  }
  if (!options.follow) return;
  // Nothing matched yet: every later match is new.
  cursor ??= '0';
  for (;;) {
    await delay(options.interval, undefined, { signal });
    const current = await page(cursor);
    for (const event of current.events) print(output, event, options.json === true);
    if (current.next_since !== null) cursor = String(current.next_since);
  }
}

function print(output: Output, event: EventItem, asJson: boolean): void {
  if (asJson) output.out(JSON.stringify(event));
  else output.out(`#${event.seq}  ${instant(event.at)}  ${event.type}${event.target ? `  ${event.target}` : ''}  ${summary(event)}`);
}

/** One line about an event's payload. */
export function summary(event: EventItem): string {
  const p = event.payload;
  switch (event.type) {
    case 'registration.created':
    case 'registration.updated': {
      const r = p.registration as { algorithm: string; params: object; source: string; owner: string | null };
      return `${r.algorithm} ${JSON.stringify(r.params)} (${r.source}${r.owner ? ` ${r.owner}` : ''})`;
    }
    case 'registration.removed':
      return `(${String(p.reason)})`;
    case 'registrations.deployed':
    case 'registrations.imported':
      return `${typeof p.project === 'string' ? `project ${p.project}: ` : ''}${['created', 'updated', 'removed', 'unchanged'].map((k) => `${Number(p[k])} ${k}`).join(', ')}`;
    case 'cleanup.completed':
      return `${String(p.trigger)}${p.dry_run ? ' (dry run)' : ''}: ${Number(p.files)} files, ${bytes(Number(p.bytes))}`;
    case 'cleanup.interrupted':
      return `${String(p.trigger)}: interrupted, ${Number(p.files)} of ${Number(p.planned_files)} planned files had been deleted, ${bytes(Number(p.bytes))}`;
    case 'state.disk_full':
      return `${String(p.path)}: full, reserve of ${bytes(Number(p.reserve_bytes))} released`;
    case 'database.available':
      return `after ${Number(p.unavailable_seconds)} s: ${Number(p.spooled)} spooled events written${Number(p.dropped) > 0 ? `, ${Number(p.dropped)} dropped` : ''}`;
    default: {
      const text = JSON.stringify(p);
      return text === '{}' ? '' : text.length > 160 ? `${text.slice(0, 157)}…` : text;
    }
  }
}
