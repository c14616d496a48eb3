import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { APP_VERSION } from '../version.js';
import { componentSchemas } from './zod-openapi.js';

/** Serves the OpenAPI document at /api/docs (UI) and /api/docs-json (JSON). */
export function setupApiDocs(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('storage-manager')
      .setDescription('Registers targets inside volumes with cleanup policies; reads usage, events and health.')
      .setVersion(APP_VERSION)
      .addBearerAuth()
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...componentSchemas() } };
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
