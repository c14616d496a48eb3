import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { composeModel, ComposeError, mergeModels, type ComposeModel } from './compose-model.js';
import { parseEnvFile } from './env-file.js';
import { interpolateTree, type Lookup } from './interpolate.js';
import { resolveProjectName, type ProjectName } from './project-name.js';

/**
 * Reads a compose project from disk the way `docker compose` finds it: the `-f` files (else COMPOSE_FILE, else
 * compose.yaml … docker-compose.yml in the working directory, with its override file), the `.env` beside the
 * first file (or every `--env-file` instead), variables from the environment first, then from those files.
 */

export interface ComposeOptions {
  readonly files: readonly string[];
  readonly projectName?: string;
  readonly envFiles: readonly string[];
  readonly profiles: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ComposeProject {
  readonly project: ProjectName;
  readonly files: readonly string[];
  readonly model: ComposeModel;
  readonly profiles: readonly string[];
  /** Compose's own warnings: variables used while unset. */
  readonly warnings: readonly string[];
}

const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export function loadComposeProject(options: ComposeOptions): ComposeProject {
  const files = composeFiles(options);
  const projectDir = path.dirname(files[0]!);
  const dotenv: Record<string, string> = {};
  const shell: Lookup = (name) => options.env[name];
  const envFiles = options.envFiles.length > 0 ? options.envFiles.map((f) => path.resolve(options.cwd, f)) : [path.join(projectDir, '.env')];
  for (const file of envFiles) {
    if (options.envFiles.length === 0 && !existsSync(file)) continue;
    Object.assign(dotenv, parseEnvFile(readText(file, 'env file'), file, shell));
  }
  const lookup: Lookup = (name) => options.env[name] ?? (Object.hasOwn(dotenv, name) ? dotenv[name] : undefined);
  const unset = new Set<string>();
  const models = files.map((file) => {
    let doc: unknown;
    try {
      doc = parse(readText(file, 'compose file'), { schema: 'failsafe', merge: true });
    } catch (error) {
      throw new ComposeError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    const interpolated = interpolateTree(doc, lookup);
    for (const name of interpolated.unset) unset.add(name);
    return composeModel(interpolated.value, file);
  });
  const model = mergeModels(models);
  const project = resolveProjectName({ flag: options.projectName, lookup, fileName: model.name, projectDir });
  const profiles = options.profiles.length > 0 ? options.profiles : (lookup('COMPOSE_PROFILES') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const warnings = [...unset].map((name) => `The "${name}" variable is not set. Defaulting to a blank string.`);
  return { project, files, model, profiles, warnings };
}

function composeFiles(options: ComposeOptions): string[] {
  if (options.files.length > 0) return options.files.map((f) => path.resolve(options.cwd, f));
  const fromEnv = options.env.COMPOSE_FILE;
  if (fromEnv) {
    return fromEnv
      .split(options.env.COMPOSE_PATH_SEPARATOR ?? ':')
      .filter(Boolean)
      .map((f) => path.resolve(options.cwd, f));
  }
  const found = DEFAULT_FILES.find((name) => existsSync(path.join(options.cwd, name)));
  if (!found) throw new ComposeError(`no compose file in ${options.cwd} (looked for ${DEFAULT_FILES.join(', ')}); give one with -f`);
  const override = found.replace(/\.(ya?ml)$/, '.override.$1');
  const files = [path.join(options.cwd, found)];
  for (const candidate of [override, override.endsWith('.yaml') ? override.replace(/\.yaml$/, '.yml') : override.replace(/\.yml$/, '.yaml')]) {
    if (existsSync(path.join(options.cwd, candidate))) {
      files.push(path.join(options.cwd, candidate));
      break;
    }
  }
  return files;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ComposeError(`cannot read the ${what} ${file}${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`);
  }
}
