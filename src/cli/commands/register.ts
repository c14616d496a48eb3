import { Command } from 'commander';
import type { components } from '../api-schema.js';
import { expectStatus, refusal } from '../client.js';
import { collect, contextOf } from '../context.js';
import { CliError, EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { json } from '../output.js';

type RegisterRequest = components['schemas']['RegisterRequest'];

/** The policies, for --help without loading them (register.spec.ts checks the list against the registry). */
export const ALGORITHMS = ['max_size', 'remove_before_date', 'keep_n_latest', 'orphans'] as const;

export function registerCommand(): Command {
  return new Command('register')
    .description('Register (or update) a target: a path inside a volume with a cleanup policy. Idempotent.')
    .requiredOption('--volume <name>', 'the volume (its Engine name, or a standalone volume directory)')
    .requiredOption('--path <path>', 'path relative to the volume root; "/" is the whole volume')
    .requiredOption('--algorithm <name>', `the policy: ${ALGORITHMS.join(', ')}`)
    .option('--param <name=value>', 'a policy param, typed like a label (repeat: --param max_bytes=5368709120 --param sort_by=mtime)', collect, [])
    .option('--description <text>', 'shown in status and alerts')
    .option('--json', 'print the registration as JSON')
    .addHelpText(
      'after',
      `
Params are written as in compose labels: numbers and booleans are typed by the policy, lists as JSON, and an
emergency policy as emergency.<param> (--param emergency.keep_count=25).

Examples:
  storage-manager register --volume camera-footage --path /recordings --algorithm max_size \\
    --param max_bytes=5368709120 --param sort_by=mtime --description "Security camera recordings"
  storage-manager register --volume logs --path / --algorithm remove_before_date --param max_age_days=14
${EXIT_CODES_HELP}`,
    )
    .action(async (flags: { volume: string; path: string; algorithm: string; param: string[]; description?: string; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      // The label parser (and the policies' schemas behind it) loads only when a registration is sent.
      const { registrationFromFlags } = await import('./register-flags.js');
      const { input, problems } = registrationFromFlags(flags);
      if (!input) throw new CliError('invalid registration; nothing was sent:', EXIT.invalid, problems);
      // The input went through the API's own registration schema (via the label parser): it is a RegisterRequest.
      const answer = await context.client().call('post', '/api/register', { body: input as unknown as RegisterRequest });
      if (answer.status !== 200 && answer.status !== 201) throw refusal(answer.status, answer.body);
      const registration = answer.body;
      if (flags.json) json(context.output, registration);
      else {
        const target = `${registration.volume_name}:${registration.path}`;
        context.output.out(`${registration.outcome} ${target} (${registration.algorithm}, id ${registration.id}, ${registration.status})`);
        if (registration.status === 'pending') context.output.out(`  volume "${registration.volume_name}" does not exist yet: the target becomes active when it appears`);
      }
    });
}

export function unregisterCommand(): Command {
  return new Command('unregister')
    .description('Remove the registration of a target (its files are left as they are)')
    .argument('<volume>', 'the volume')
    .argument('<path>', 'the path relative to the volume root, as registered ("/recordings")')
    .option('--missing-ok', 'exit 0 when the target is not registered')
    .addHelpText(
      'after',
      `
Examples:
  storage-manager unregister camera-footage /recordings
${EXIT_CODES_HELP}
  unregister exits 1 when the target is not registered (0 with --missing-ok).`,
    )
    .action(async (volume: string, targetPath: string, options: { missingOk?: boolean }, command: Command) => {
      const context = contextOf(command);
      const answer = await context.client().call('delete', '/api/register/{volume_name}/{path}', { path: { volume_name: volume, path: targetPath } });
      if (answer.status === 404) {
        if (options.missingOk) {
          context.output.out(`${volume}:${targetPath} was not registered`);
          return;
        }
        throw new CliError(`${volume}:${targetPath} is not registered`, EXIT.failure);
      }
      expectStatus(answer, 204);
      context.output.out(`unregistered ${volume}:${targetPath}`);
    });
}
