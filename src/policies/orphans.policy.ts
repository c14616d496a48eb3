import { posix } from 'node:path';
import { z } from 'zod';
import type { FileEntry } from '../measuring/file-entry.js';
import type { FileView } from '../measuring/file-view.js';
import { basename, commonRules, comparePaths, countFiles, dirname, emptyPlan, globMatcher, isCandidate, makePlan } from './candidates.js';
import type { Plan } from './plan.js';
import type { PolicyDefinition, PolicyParams } from './policy.js';

const PLACEHOLDER = /\{(stem|name|ext)\}/;

const orphansParams = z.strictObject({
  pattern: z
    .string({ error: 'must be a glob string such as "*.json"' })
    .min(1, { error: 'must not be empty' })
    .max(1024, { error: 'must be at most 1024 characters' })
    .refine((value) => !value.includes('\0') && !value.split('/').includes('..'), {
      error: "must not contain NUL or '..'",
    }),
  companion: z
    .string({ error: 'must be a name template such as "{stem}.jpg"' })
    .min(1, { error: 'must not be empty' })
    .max(1024, { error: 'must be at most 1024 characters' })
    .refine((value) => PLACEHOLDER.test(value), { error: 'must contain {stem}, {name} or {ext}' })
    .refine((value) => !value.includes('\0') && !value.split('/').includes('..') && !value.startsWith('/'), {
      error: "must be relative to the candidate's directory, without NUL or '..'",
    }),
});
export type OrphansParams = PolicyParams<z.infer<typeof orphansParams>>;

/**
 * Deletes candidate files (`pattern`) whose companion file (`companion`, e.g. `{stem}.jpg`) is missing. No cap:
 * sweeps and events run it.
 */
export const orphansPolicy: PolicyDefinition<z.infer<typeof orphansParams>> = {
  name: 'orphans',
  summary: 'Delete files matching pattern whose companion (e.g. {stem}.jpg) does not exist beside them.',
  params: orphansParams,
  required: [['pattern', 'companion']],
  plan: planOrphans,
};

/**
 * A file matching `pattern` (on its basename when the pattern has no '/', else on its relative path) is an
 * orphan when the path its `companion` template names, resolved in the file's own directory, is not a file of
 * the target. Orphans are deleted when the common rules allow (include, exclude, min_age_seconds), by path.
 * No cap, so never blocked; no next run (a young orphan is simply found by the next sweep or event).
 * Every path is read once (orphans depend on no order); only the orphans are sorted.
 */
export function planOrphans(files: FileView, params: OrphansParams, now: Date): Plan {
  const { pattern, companion: template } = params;
  if (typeof pattern !== 'string' || typeof template !== 'string') return emptyPlan('pattern or companion is not set');
  const matches = globMatcher(pattern) ?? (() => false);
  const rules = commonRules(params);
  const orphans: FileEntry[] = [];
  for (const file of files.entries()) {
    if (matches(file.path) && !files.has(companionPath(file.path, template)) && isCandidate(file, rules, now)) orphans.push(file);
  }
  orphans.sort(comparePaths);
  return makePlan(orphans, `delete ${countFiles(orphans.length)} matching ${pattern} without ${template}`);
}

/**
 * The companion's target-relative path: `{name}` is the basename, `{stem}` the basename without its last
 * extension, `{ext}` that extension without the dot (Node's extname rules: `.env` has none, `a.tar.gz` has
 * `gz`). Resolved in the candidate's directory, so `thumbs/{stem}.jpg` looks in a subdirectory.
 */
export function companionPath(path: string, template: string): string {
  const name = basename(path);
  const ext = posix.extname(name);
  const values: Record<string, string> = { name, stem: ext ? name.slice(0, -ext.length) : name, ext: ext.slice(1) };
  const companion = template.replace(/\{(stem|name|ext)\}/g, (_, field: string) => values[field] ?? '');
  const dir = dirname(path);
  // '.' and empty segments would otherwise never equal a scanned path (`./{stem}.jpg`, `a//b`).
  return [...dir.split('/'), ...companion.split('/')].filter((segment) => segment !== '' && segment !== '.').join('/');
}
