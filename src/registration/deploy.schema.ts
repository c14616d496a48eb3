import { z } from 'zod';
import { objectErrors } from '../common/zod-problems.js';
import { MAX_IMPORT_ITEMS, noRepeatedTargets } from './import.schema.js';
import { registrationBody } from './registration.schema.js';

/**
 * PUT /api/projects/{project}/registrations: the whole set of registrations a compose project declares,
 * applied at deploy time (SPEC §3). The project is named as Compose names it: lowercase letters, digits,
 * `_` and `-`, starting with a letter or a digit.
 */

export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const MAX_PROJECT_NAME_LENGTH = 255;

/** Returns a problem message, or undefined when the name is a valid compose project name. */
export function checkProjectName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_PROJECT_NAME_LENGTH) return `must be at most ${MAX_PROJECT_NAME_LENGTH} characters`;
  if (!PROJECT_NAME_PATTERN.test(name)) return 'must contain only lowercase letters, digits, _ and -, and start with a letter or a digit';
  return undefined;
}

/** The `{project}` path parameter. */
export function projectNameField() {
  return z
    .string({ error: 'is required' })
    .superRefine((name, ctx) => {
      const problem = checkProjectName(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ example: 'camera-stack', pattern: PROJECT_NAME_PATTERN.source, minLength: 1, maxLength: MAX_PROJECT_NAME_LENGTH });
}

const DEPLOY_FIELDS = ['registrations', 'dry_run'] as const;

/** The body: every registration the project declares (each validated as POST /api/register validates), and dry_run. */
export const deployBody = z.strictObject(
  {
    registrations: z
      .array(registrationBody, { error: 'must be an array' })
      .max(MAX_IMPORT_ITEMS, { error: `must hold at most ${MAX_IMPORT_ITEMS} items` })
      .superRefine(noRepeatedTargets, {
        when: (payload) => Array.isArray(payload.value) && payload.value.length <= MAX_IMPORT_ITEMS,
      })
      .describe('Every registration the project declares; the ones it declared before and omits now are removed'),
    dry_run: z.boolean({ error: 'must be true or false' }).optional().describe('Only report what the deploy would change'),
  },
  { error: objectErrors('must be a JSON object with a registrations array', DEPLOY_FIELDS) },
);
export type DeployBody = z.output<typeof deployBody>;
