/**
 * Renders the TypeScript types of the HTTP API from its OpenAPI document, with openapi-typescript (a
 * development dependency, loaded only when rendering). generate-api-schema.ts writes the result to
 * src/cli/api-schema.ts; the OpenAPI end-to-end test renders the served document again and compares.
 */

export const API_SCHEMA_FILE = new URL('../../src/cli/api-schema.ts', import.meta.url);

const HEADER = `/**
 * Types of the storage-manager HTTP API, generated from the OpenAPI document it serves at /api/docs-json.
 * Do not edit: regenerate with \`npm run openapi:types\` (src/cli/generate-api-schema.ts).
 */

`;

export async function renderApiSchema(document: object): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const nodes = await openapiTS(document as Parameters<typeof openapiTS>[0], { rootTypes: true, silent: true });
  return HEADER + astToString(nodes);
}
