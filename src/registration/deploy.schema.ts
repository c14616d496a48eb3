import { z } from 'zod';
import { objectErrors } from '../common/zod-problems.js';
import { MAX_IMPORT_ITEMS, noRepeatedTargets } from './import.schema.js';
import { checkProjectName, MAX_PROJECT_NAME_LENGTH, PROJECT_NAME_PATTERN } from './project-name.js';
import { registrationBody } from './registration.schema.js';

/**
 * PUT /api/projects/{project}/registrations: the whole set of registrations a compose project declares,
 * applied at deploy time (SPEC §3). The project is named as Compose names it: lowercase letters, digits,
 * `_` and `-`, starting with a letter or a digit.
 */

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
