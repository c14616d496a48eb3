import { Command } from 'commander';
import type { components } from '../api-schema.js';
import { expectStatus } from '../client.js';
import { contextOf } from '../context.js';
import { CliError, EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { bytes, duration, instant, json, percent, plural, table, type Output } from '../output.js';

type Health = components['schemas']['Health'];
type Volume = components['schemas']['Volume'];

/** `status`: health, filesystems, volumes and targets on one screen; the exit code says ok, degraded or unhealthy. */
export function statusCommand(): Command {
  return new Command('status')
    .description('One-screen summary: health, filesystems, volumes with size and tier, targets with usage against their limit, last cleanups')
    .option('--all', 'also list volumes without registrations')
    .option('--json', 'print {health, volumes} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  storage-manager status
  storage-manager status --json | jq '.health.problems'
  storage-manager status >/dev/null || echo "storage needs attention"
${EXIT_CODES_HELP}
  status exits 0 when healthy, 4 when degraded, 5 when unhealthy (3 when the manager cannot be reached).`,
    )
    .action(async (options: { all?: boolean; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const client = context.client();
      const healthAnswer = expectStatus(await client.call('get', '/api/health'), 200, 503);
      const volumes = expectStatus(await client.call('get', '/api/volumes', { query: { sort: 'volume_name' } }), 200).body;
      const health = healthAnswer.body;
      if (options.json) json(context.output, { health, volumes });
      else printStatus(context.output, client.shownUrl, health, volumes, options.all === true);
      if (health.status === 'unhealthy') throw new CliError('', EXIT.unhealthy);
      if (health.status === 'degraded') throw new CliError('', EXIT.degraded);
    });
}

function printStatus(output: Output, url: string, health: Health, volumes: Volume[], all: boolean): void {
  output.out(`storage-manager ${health.version} at ${url}: ${health.status.toUpperCase()}, up ${duration(health.uptime_seconds)}`);
  for (const problem of health.problems) output.out(`  ! ${problem}`);
  if (health.maintenance.enabled) {
    output.out(`  ! maintenance mode since ${instant(health.maintenance.since)}${health.maintenance.reason ? `: ${health.maintenance.reason}` : ''} (no automatic deletion)`);
  }
  const sweep = health.scheduler.jobs.find((job) => job.name === 'sweep');
  if (sweep) output.out(`  last sweep ${instant(sweep.last_run)}, next ${instant(sweep.next_run)}`);

  output.out();
  output.out('Filesystems');
  const filesystems = health.filesystems.map((fs) => [
    fs.mountpoint,
    fs.fs_type,
    `${percent(fs.used_ratio)} used`,
    `${bytes(fs.available_bytes)} free of ${bytes(fs.total_bytes)}`,
    fs.tier,
    fs.full_in_hours === null ? '' : `full in ${duration(fs.full_in_hours * 3600)}`,
  ]);
  for (const line of filesystems.length > 0 ? table(filesystems) : ['  (none measured yet)']) output.out(line);

  const shown = all ? volumes : volumes.filter((v) => v.registrations.length > 0);
  output.out();
  output.out('Volumes');
  const volumeRows = shown.map((v) => [v.volume_name, bytes(v.current_bytes), v.tier, v.status, plural(v.registrations.length, 'target')]);
  for (const line of volumeRows.length > 0 ? table(volumeRows) : ['  (no registered volume)']) output.out(line);
  const hidden = volumes.length - shown.length;
  if (hidden > 0) output.out(`  … and ${plural(hidden, 'volume')} without registrations (--all lists them)`);

  output.out();
  output.out('Targets');
  const blocked = new Set(health.blocked.map((b) => b.target));
  const targetRows = volumes.flatMap((v) =>
    v.registrations.map((r) => {
      const key = `${v.volume_name}:${r.path}`;
      const flags = [r.status === 'pending' ? 'pending' : '', blocked.has(key) ? 'blocked' : ''].filter(Boolean).join(',');
      const cleaned = r.last_cleaned ? `cleaned ${instant(r.last_cleaned)} (${plural(r.files_removed_last_run ?? 0, 'file')})` : 'never cleaned';
      return [key, `${bytes(r.path_bytes)} / ${limitOf(r.algorithm, r.params)}`, r.algorithm, r.tier, flags || r.status, cleaned];
    }),
  );
  for (const line of targetRows.length > 0 ? table(targetRows) : ['  (no registration)']) output.out(line);
}

/** A target's limit in words, from its policy's params. */
export function limitOf(algorithm: string, params: Record<string, unknown>): string {
  if (algorithm === 'max_size' && typeof params.max_bytes === 'number') return bytes(params.max_bytes);
  if (algorithm === 'keep_n_latest' && typeof params.keep_count === 'number') return `keep ${params.keep_count} files`;
  if (algorithm === 'remove_before_date') {
    if (typeof params.max_age_days === 'number') return `${params.max_age_days} days`;
    if (typeof params.before_date === 'string') return `before ${params.before_date}`;
  }
  if (algorithm === 'orphans' && typeof params.pattern === 'string') return `orphans of ${params.pattern}`;
  return '-';
}
