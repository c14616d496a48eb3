import { Command } from 'commander';
import { collect, contextOf } from '../context.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';

export interface DeployOptions {
  file: string[];
  projectName?: string;
  envFile: string[];
  profile: string[];
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `deploy`: the hook a deploy script calls before `docker compose up` (seed 000, phase 4); the work is in
 * deploy-run.ts. Running it again with the same files changes nothing.
 */
export function deployCommand(): Command {
  return new Command('deploy')
    .description("Apply a compose project's storage-manager.* labels: create, update, and remove the registrations it no longer declares")
    .option('-f, --file <path>', 'compose file; repeat to merge several (default: COMPOSE_FILE, else compose.yaml … docker-compose.yml here)', collect, [])
    .option('-p, --project-name <name>', 'project name (default: COMPOSE_PROJECT_NAME, else the top-level name:, else the directory name)')
    .option('--env-file <path>', 'variables for interpolation, instead of the .env beside the first compose file (repeatable)', collect, [])
    .option('--profile <name>', 'a compose profile to enable (repeatable; default: COMPOSE_PROFILES)', collect, [])
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', "print the manager's summary as JSON")
    .addHelpText(
      'after',
      `
Labels (seed 000): storage-manager.<N>.volume | path | algorithm | description | <param>, as a mapping or a
["key=value"] list; \${VAR}, \${VAR:-default}, \${VAR-default}, \${VAR:?error} and $$ are interpolated from the
environment and the .env file. A volume label may name a compose-level volume ("logs" becomes "<project>_logs",
or its name:, or stays "logs" when external); a service may only register a volume it mounts.

Examples:
  storage-manager deploy -f docker-compose.yml --dry-run
  storage-manager deploy -f docker-compose.yml -f docker-compose.prod.yml -p camera-stack
  storage-manager deploy -f docker-compose.yml && docker compose -f docker-compose.yml up -d
${EXIT_CODES_HELP}
  deploy exits 2, before changing anything, when a label is invalid, naming each (service, label, message),
  and 1 when a declared target is registered by someone else (the API, labels, another project).`,
    )
    .action(async (options: DeployOptions, command: Command) => {
      // The label parser (and the policies' schemas behind it) loads only when a deploy runs.
      const { runDeploy } = await import('./deploy-run.js');
      await runDeploy(contextOf(command), options);
    });
}
