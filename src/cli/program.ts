import { Command, CommanderError, Option } from 'commander';
import { APP_VERSION } from '../version.js';
import { cleanupCommand, emergencyCommand } from './commands/cleanup.js';
import { deployCommand } from './commands/deploy.js';
import { eventsCommand } from './commands/events.js';
import { registerCommand, unregisterCommand } from './commands/register.js';
import { statusCommand } from './commands/status.js';
import { DEFAULT_URL, positiveInteger } from './context.js';
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js';
import { processOutput, type Output } from './output.js';

/**
 * `storage-manager`: the command-line program over the manager's REST API (commander). Global options come
 * before or after the command; `--token` is read from SM_API_TOKEN when not given and never shown (not even
 * as a default in --help).
 */
export function createProgram(): Command {
  const program = new Command('storage-manager')
    .description('Talk to a running storage-manager: deploy-time registration from compose files, status, cleanups, registrations, the event log.')
    .version(APP_VERSION, '-V, --version')
    .addOption(new Option('--url <url>', 'the manager\'s base URL').env('SM_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'API token, sent as "Authorization: Bearer" (never printed; prefer SM_API_TOKEN: an argument shows in the process list)').env('SM_API_TOKEN'))
    .addOption(new Option('--timeout <ms>', 'milliseconds to wait for each answer').argParser(positiveInteger('--timeout')).default(120_000))
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  storage-manager status
  storage-manager deploy -f docker-compose.yml --dry-run
  SM_URL=http://storage-manager:9100 SM_API_TOKEN=… storage-manager cleanup --dry-run camera-footage
${EXIT_CODES_HELP}`,
    );
  for (const command of [deployCommand(), statusCommand(), cleanupCommand(), emergencyCommand(), registerCommand(), unregisterCommand(), eventsCommand()]) {
    program.addCommand(command.exitOverride().showHelpAfterError('(add --help for usage)'));
  }
  return program;
}

/** Runs the program on `argv` (without the node and script paths) and answers the exit code; never exits itself. */
export async function runCli(argv: readonly string[], output: Output = processOutput): Promise<ExitCode> {
  const program = createProgram();
  program.configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every usage error (unknown option, missing argument, no command) is 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (error instanceof CliError) {
      if (error.message) output.err(`storage-manager: ${error.message}`);
      for (const line of error.lines) output.err(`  ${line}`);
      return error.exitCode;
    }
    output.err(`storage-manager: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
}
