import path from 'node:path';
import type { components } from '../api-schema.js';
import { refusal } from '../client.js';
import { ComposeError } from '../compose/compose-model.js';
import { loadComposeProject, type ComposeProject } from '../compose/compose-project.js';
import { declarations, type DeclaredRegistration } from '../compose/declarations.js';
import { EnvFileError } from '../compose/env-file.js';
import { InterpolationError } from '../compose/interpolate.js';
import { ProjectNameError } from '../compose/project-name.js';
import type { Context } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { json, plural, table, type Output } from '../output.js';
import type { DeployOptions } from './deploy.js';

type DeployRequest = components['schemas']['DeployRequest'];
type DeploySummary = components['schemas']['DeploySummary'];

/**
 * What `deploy` does: reads the compose project as Compose would, checks every storage-manager label of every
 * service first (nothing is sent when one is invalid), then sets the project's registrations in one request
 * and prints what was created, updated, removed (declared before, not any more) and left unchanged.
 */
export async function runDeploy(context: Context, options: DeployOptions): Promise<void> {
  const project = readProject(options);
  for (const warning of project.warnings) context.output.err(`warning: ${warning}`);
  const name = project.project.name;
  const found = declarations(project.model, name, project.profiles);
  if (found.problems.length > 0) {
    if (options.json) json(context.output, { project: name, problems: found.problems });
    throw new CliError(
      `${plural(found.problems.length, 'invalid label')} in project "${name}"; nothing was changed:`,
      EXIT.invalid,
      found.problems.map((p) => `service "${p.service}", ${p.label}: ${p.message}`),
    );
  }
  for (const service of found.inactive) {
    context.output.err(`note: service "${service}" is in no active profile: its labels are left out (give --profile to include it)`);
  }
  // Each item went through the API's own registration schema (the label parser): it is a RegisterRequest.
  const body: DeployRequest = { registrations: found.registrations.map((r) => r.input) as unknown as DeployRequest['registrations'], dry_run: options.dryRun === true };
  const answer = await context.client().call('put', '/api/projects/{project}/registrations', { path: { project: name }, body });
  if (answer.status !== 200) throw refusal(answer.status, answer.body, (field) => describeField(field, found.registrations));
  if (options.json) json(context.output, answer.body);
  else printSummary(context.output, project, found.registrations, answer.body);
}

function readProject(options: DeployOptions): ComposeProject {
  try {
    return loadComposeProject({
      files: options.file,
      projectName: options.projectName,
      envFiles: options.envFile,
      profiles: options.profile,
      cwd: process.cwd(),
      env: process.env,
    });
  } catch (error) {
    if (error instanceof ComposeError || error instanceof EnvFileError || error instanceof InterpolationError || error instanceof ProjectNameError) {
      throw new CliError(`${error.message}; nothing was changed`, EXIT.invalid);
    }
    throw error;
  }
}

/** `registrations[2].params.max_bytes` (the manager's field) as the service and label it came from. */
function describeField(field: string, sent: readonly DeclaredRegistration[]): string {
  const match = /^registrations\[(\d+)\](?:\.(.+))?$/.exec(field);
  const origin = match ? sent[Number(match[1])] : undefined;
  if (!origin) return field;
  return `service "${origin.service}", storage-manager.${origin.index}${match![2] ? ` (${match![2]})` : ''} [${origin.input.volume_name}:${origin.input.path}]`;
}

function printSummary(output: Output, project: ComposeProject, sent: readonly DeclaredRegistration[], summary: DeploySummary): void {
  const files = project.files.map((f) => path.relative(process.cwd(), f) || f).join(', ');
  const from = project.project.source === 'directory' ? 'the directory name' : project.project.source;
  output.out(`Project "${summary.project}" (name from ${from}): ${plural(sent.length, 'registration')} declared in ${files}`);
  const origin = new Map(sent.map((r) => [`${r.input.volume_name}:${r.input.path}`, `service ${r.service}, storage-manager.${r.index}`]));
  const verbs = summary.dry_run
    ? { created: 'would create', updated: 'would update', removed: 'would remove', unchanged: 'unchanged' }
    : { created: 'created', updated: 'updated', removed: 'removed', unchanged: 'unchanged' };
  const rows = (['created', 'updated', 'removed', 'unchanged'] as const).flatMap((kind) =>
    summary[kind].map((t) => {
      const key = `${t.volume_name}:${t.path}`;
      return [verbs[kind], key, kind === 'removed' ? '(no longer declared)' : `(${origin.get(key) ?? '?'})`];
    }),
  );
  for (const line of table(rows)) output.out(line);
  const changed = summary.created.length + summary.updated.length + summary.removed.length;
  const counts = `${summary.created.length} created, ${summary.updated.length} updated, ${summary.removed.length} removed, ${summary.unchanged.length} unchanged`;
  if (summary.dry_run) output.out(`Dry run: ${counts.replace(/(\d+) (created|updated|removed)/g, '$1 to be $2')}; nothing was changed.`);
  else if (changed === 0) output.out(`Nothing to change: ${plural(summary.unchanged.length, 'registration')} unchanged.`);
  else output.out(`Done: ${counts}.`);
}
