import { z } from 'zod';
import { commonParams } from '../policies/param-types.js';
import { POLICIES } from '../policies/policy.registry.js';
import { deployBody } from './deploy.schema.js';
import { importBody, MAX_IMPORT_ITEMS } from './import.schema.js';
import { descriptionField, EXPORT_ONLY_FIELDS, targetPathField, volumeNameField } from './registration.schema.js';

/**
 * The registration bodies as the OpenAPI document shows them, built from the same zod schemas that validate
 * them. The validating schema checks `params` once the algorithm is known; the document spells that out as
 * one alternative per algorithm, each with its policy's params.
 */

function policyBody(name: string, ignored: readonly string[]) {
  const policy = POLICIES[name]!;
  const params = z
    .strictObject({ ...policy.params.shape, ...commonParams, emergency: z.record(z.string(), z.unknown()).optional() })
    .describe(policy.summary);
  const dropped = Object.fromEntries(ignored.map((field) => [field, z.unknown().optional().describe('As exported; ignored')]));
  return z
    .strictObject({
      ...dropped,
      volume_name: volumeNameField(),
      path: targetPathField(),
      algorithm: z.literal(name),
      params: params.optional(),
      description: descriptionField,
    })
    .meta({ title: name });
}

function onePerPolicy(ignored: readonly string[]) {
  const [first, ...rest] = Object.keys(POLICIES).map((name) => policyBody(name, ignored));
  return z.discriminatedUnion('algorithm', [first!, ...rest]);
}

/** The body of POST /api/register. */
export const registerRequestDocument = onePerPolicy([]).meta({ id: 'RegisterRequest' });

/** The body of POST /api/registrations/import. */
export const importRequestDocument = importBody
  .extend({
    registrations: z
      .array(onePerPolicy(EXPORT_ONLY_FIELDS).meta({ id: 'ImportedRegistration' }))
      .max(MAX_IMPORT_ITEMS)
      .describe('Registrations, or the items of an export as they are'),
  })
  .meta({ id: 'ImportRequest' });

/** The body of PUT /api/projects/{project}/registrations. */
export const deployRequestDocument = deployBody
  .extend({
    registrations: z
      .array(registerRequestDocument)
      .max(MAX_IMPORT_ITEMS)
      .describe('Every registration the project declares; the ones it declared before and omits now are removed'),
  })
  .meta({ id: 'DeployRequest' });
