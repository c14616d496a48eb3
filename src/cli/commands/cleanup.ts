import { Command, InvalidArgumentError } from 'commander';
import type { components } from '../api-schema.js';
import { expectStatus } from '../client.js';
import { contextOf } from '../context.js';
import { CliError, EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { bytes, json, percent, plural, table, type Output } from '../output.js';

type CleanupRun = components['schemas']['CleanupRun'];
type EmergencyReport = components['schemas']['EmergencyReport'];

/** `camera-footage` or `camera-footage:/recordings` (the event log's target key). */
export function parseTarget(text: string): { volume_name: string; path?: string } {
  const colon = text.indexOf(':');
  const volume = colon < 0 ? text : text.slice(0, colon);
  const path = colon < 0 ? undefined : text.slice(colon + 1);
  if (volume === '' || path === '') throw new InvalidArgumentError('give a volume ("camera-footage") or a target ("camera-footage:/recordings")');
  return path === undefined ? { volume_name: volume } : { volume_name: volume, path };
}

export function cleanupCommand(): Command {
  return new Command('cleanup')
    .description('Run the cleanup policies now: of every target, of one volume, or of one target')
    .argument('[target]', 'a volume ("camera-footage") or one target ("camera-footage:/recordings"); every target when omitted', parseTarget)
    .option('--dry-run', 'only plan: show what would be deleted, delete nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Examples:
  storage-manager cleanup --dry-run camera-footage:/recordings
  storage-manager cleanup camera-footage
  storage-manager cleanup
${EXIT_CODES_HELP}
  cleanup exits 1 when a target's cleanup failed.`,
    )
    .action(async (target: { volume_name: string; path?: string } | undefined, options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const answer = await context.client().call('post', '/api/cleanup', { body: { ...target, dry_run: options.dryRun === true } });
      const report = expectStatus(answer, 200).body;
      if (options.json) json(context.output, report);
      else printCleanup(context.output, report, options.dryRun === true);
      const failed = report.targets.filter((t) => t.status === 'failed');
      if (failed.length > 0) throw new CliError(`${plural(failed.length, 'target')} failed: ${failed.map((t) => `${t.volume_name}:${t.path}`).join(', ')}`, EXIT.failure);
    });
}

function printCleanup(output: Output, report: CleanupRun, dryRun: boolean): void {
  if (report.targets.length === 0) {
    output.out('No registered target to clean.');
    return;
  }
  const verb = dryRun ? 'would delete' : 'deleted';
  output.out(
    table(
      report.targets.map((t) => [
        `${t.volume_name}:${t.path}`,
        t.status,
        `${verb} ${plural(t.files, 'file')} (${bytes(t.bytes)})`,
        [t.detail ?? '', t.blocked ? `blocked: ${t.blocked.reason}` : '', t.errors > 0 ? plural(t.errors, 'error') : ''].filter(Boolean).join('; '),
      ]),
      '',
    ).join('\n'),
  );
  for (const t of report.targets) {
    if (dryRun && t.first_paths.length > 0) output.out(`  ${t.volume_name}:${t.path} first: ${t.first_paths.slice(0, 10).join(', ')}${t.first_paths.length > 10 ? ', …' : ''}`);
  }
  output.out(`${dryRun ? 'Dry run, nothing deleted: would free' : 'Freed'} ${bytes(report.totals.bytes)} in ${plural(report.totals.files, 'file')}.`);
}

export function emergencyCommand(): Command {
  return new Command('emergency')
    .description('Run the emergency policies now, by priority, until each filesystem is below the critical threshold; prints the report')
    .option('--dry-run', 'only plan: show what each target would give, delete nothing')
    .option('--volume <name>', "only this volume's targets (on its filesystem)")
    .option('--force', 'run every emergency policy, even on a filesystem below the critical threshold')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Only targets with an "emergency" policy are ever touched (e.g. storage-manager.0.emergency.keep_count=25).

Examples:
  storage-manager emergency --dry-run
  storage-manager emergency --volume camera-footage
  storage-manager emergency --dry-run --force
${EXIT_CODES_HELP}
  emergency exits 1 when a target's emergency cleanup failed.`,
    )
    .action(async (options: { dryRun?: boolean; volume?: string; force?: boolean; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const body = { dry_run: options.dryRun === true, force: options.force === true, ...(options.volume ? { volume_name: options.volume } : {}) };
      const report = expectStatus(await context.client().call('post', '/api/emergency-cleanup', { body }), 200).body;
      if (options.json) json(context.output, report);
      else printEmergency(context.output, report);
      const failed = report.filesystems.flatMap((fs) => fs.targets.filter((t) => t.status === 'failed'));
      if (failed.length > 0) throw new CliError(`${plural(failed.length, 'target')} failed: ${failed.map((t) => `${t.volume_name}:${t.path}`).join(', ')}`, EXIT.failure);
    });
}

const OUTCOMES: Record<EmergencyReport['filesystems'][number]['outcome'], string> = {
  below_critical: 'below the critical threshold',
  targets_exhausted: 'every emergency policy ran',
  nothing_to_do: 'nothing to do',
};

function printEmergency(output: Output, report: EmergencyReport): void {
  const verb = report.dry_run ? 'would give' : 'gave';
  if (report.filesystems.length === 0) output.out('No filesystem needed an emergency cleanup (give --force to run the emergency policies anyway).');
  for (const fs of report.filesystems) {
    output.out(`${fs.mountpoint}: ${percent(fs.before_ratio)} → ${percent(fs.after_ratio)} used, ${OUTCOMES[fs.outcome]}`);
    const rows = fs.targets.map((t) => [`${t.volume_name}:${t.path}`, `priority ${t.priority}`, t.status, `${verb} ${plural(t.files, 'file')} (${bytes(t.bytes)})`, t.detail ?? '']);
    for (const line of rows.length > 0 ? table(rows) : ['  (no target with an emergency policy)']) output.out(line);
  }
  output.out(`${report.dry_run ? 'Dry run, nothing deleted: would free' : 'Freed'} ${bytes(report.totals.bytes)} in ${plural(report.totals.files, 'file')}.`);
}
