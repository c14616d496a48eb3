import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * OpenAPI from the zod schemas that validate the requests, so the document cannot disagree with the code.
 * The document is OpenAPI 3.0, and zod writes that dialect (`nullable` and `enum` where JSON Schema 2020-12
 * has `type: [..., "null"]` and `const`). A schema given an id (`.meta({ id: 'Registration' })`) becomes a
 * named component, referenced wherever it is used: the typed client gets a named type for it.
 */

const TARGET = 'openapi-3.0';
const componentRef = (id: string): string => `#/components/schemas/${id}`;

type Json = SchemaObject & Record<string, unknown>;

/** Points references at the document's components and drops what OpenAPI 3.0 schemas may not carry. */
function forDocument(value: unknown, names = false): unknown {
  if (Array.isArray(value)) return value.map((item) => forDocument(item));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (names) out[key] = forDocument(item);
    else if (key === '$ref' && typeof item === 'string') out[key] = item.replace(/^#\/definitions\//, componentRef(''));
    else if (key !== '$schema' && key !== '$id' && key !== 'definitions') out[key] = forDocument(item, key === 'properties');
  }
  return out;
}

/** The OpenAPI schema of a zod schema (its input side: what a client sends, or receives before any transform). */
export function openApiSchema(schema: z.ZodType): SchemaObject {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: componentRef(id) } as SchemaObject;
  return forDocument(z.toJSONSchema(schema, { target: TARGET, io: 'input', unrepresentable: 'any' })) as Json;
}

/** Every schema that has an id, as the document's `components.schemas`, by name (not by the order modules load). */
export function componentSchemas(): Record<string, SchemaObject> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { target: TARGET, io: 'input', unrepresentable: 'any', uri: componentRef });
  return Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((id) => [id, forDocument(schemas[id]) as Json]),
  );
}

/** Documents a JSON request body. */
export function ApiZodBody(schema: z.ZodType, options: { required?: boolean; description?: string } = {}): MethodDecorator {
  return ApiBody({ schema: openApiSchema(schema), required: options.required ?? true, description: options.description });
}

/** Documents each property of a query-string schema as a query parameter, with its type, rules and description. */
export function ApiZodQuery(schema: z.ZodType): MethodDecorator {
  const json = z.toJSONSchema(schema, { target: TARGET, io: 'input', unrepresentable: 'any' }) as Json;
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) => {
      const { description, ...rules } = forDocument(property) as Json;
      return ApiQuery({ name, required: required.has(name), description, schema: rules });
    }),
  );
}

/** Documents a JSON response. */
export function ApiZodResponse(status: number, schema: z.ZodType, description: string): MethodDecorator {
  return ApiResponse({ status, description, schema: openApiSchema(schema) });
}
