import { z } from 'zod';
import type { SchemaObject } from '@nestjs/swagger';
import { commonParams } from '../policies/param-types.js';
import { POLICIES } from '../policies/policy.registry.js';

/** OpenAPI schemas of the registration bodies, generated from the same zod schemas that validate them. */

function paramsSchema(policyName: string): SchemaObject {
  const policy = POLICIES[policyName]!;
  const schema = z.strictObject({ ...policy.params.shape, ...commonParams, emergency: z.record(z.string(), z.unknown()).optional() });
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as SchemaObject & { $schema?: string };
  delete json.$schema;
  return { ...json, description: policy.summary };
}

export const REGISTER_BODY_SCHEMA: SchemaObject = {
  oneOf: Object.keys(POLICIES).map((name) => ({
    type: 'object',
    title: name,
    required: ['volume_name', 'path', 'algorithm'],
    additionalProperties: false,
    properties: {
      volume_name: { type: 'string', example: 'camera-footage' },
      path: { type: 'string', example: '/recordings', description: 'Relative to the volume root; "/" is the whole volume.' },
      algorithm: { type: 'string', enum: [name] },
      params: paramsSchema(name),
      description: { type: 'string', maxLength: 1000 },
    },
  })),
};

export const IMPORT_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['registrations'],
  properties: {
    version: { type: 'integer', enum: [1] },
    mode: { type: 'string', enum: ['merge', 'replace'] },
    registrations: { type: 'array', items: REGISTER_BODY_SCHEMA },
  },
};
