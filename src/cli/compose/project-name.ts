import path from 'node:path';
import { checkProjectName } from '../../registration/project-name.js';
import type { Lookup } from './interpolate.js';

/**
 * The compose project name, by Compose's own precedence (docs.docker.com, "Specify a project name"):
 * `-p`, then COMPOSE_PROJECT_NAME (the environment, then `.env`), then the top-level `name:` (the last of
 * several files), then the base name of the project directory (the first file's directory). A name given
 * explicitly must already be valid; the directory's name is normalised as Compose does: lowercased, every
 * character other than a-z 0-9 _ - dropped, leading _ and - trimmed.
 */

export class ProjectNameError extends Error {}

export type ProjectNameSource = '-p' | 'COMPOSE_PROJECT_NAME' | 'name:' | 'directory';

export interface ProjectName {
  readonly name: string;
  readonly source: ProjectNameSource;
}

export function normaliseProjectName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

export function resolveProjectName(options: { flag?: string; lookup: Lookup; fileName?: string; projectDir: string }): ProjectName {
  const explicit: Array<[ProjectNameSource, string | undefined]> = [
    ['-p', options.flag],
    ['COMPOSE_PROJECT_NAME', options.lookup('COMPOSE_PROJECT_NAME')],
    ['name:', options.fileName],
  ];
  for (const [source, value] of explicit) {
    if (value === undefined || value === '') continue;
    const problem = checkProjectName(value);
    if (problem) throw new ProjectNameError(`project name "${value}" (from ${source}) ${problem}`);
    return { name: value, source };
  }
  const base = path.basename(path.resolve(options.projectDir));
  const name = normaliseProjectName(base);
  if (checkProjectName(name)) {
    throw new ProjectNameError(`the directory name "${base}" gives no valid project name: give one with -p or COMPOSE_PROJECT_NAME`);
  }
  return { name, source: 'directory' };
}
