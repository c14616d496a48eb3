import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { createLogger, startApp } from '../app.js';
import { parseConfig } from '../config/app-config.js';
import { API_SCHEMA_FILE, renderApiSchema } from './render-api-schema.js';

/**
 * `npm run openapi:types`: boots the service in this process (on a throwaway SQLite database and volumes
 * directory, on a free port), takes the OpenAPI document it serves and writes its types to src/cli/api-schema.ts.
 */
async function main(): Promise<void> {
  Logger.overrideLogger(createLogger('ERROR'));
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-openapi-'));
  try {
    const env = {
      SM_API_HOST: '127.0.0.1',
      SM_DB_PATH: path.join(dir, 'data', 'storage_manager.db'),
      SM_VOLUMES_DIR: path.join(dir, 'volumes'),
      SM_LOG_LEVEL: 'ERROR',
    };
    const running = await startApp(parseConfig(env, { cwd: dir }), { port: 0 });
    let document: object;
    try {
      const response = await fetch(`${running.url}/api/docs-json`);
      if (!response.ok) throw new Error(`GET /api/docs-json answered ${response.status}`);
      document = (await response.json()) as object;
    } finally {
      await running.shutdown('types generated');
    }
    const text = await renderApiSchema(document);
    writeFileSync(API_SCHEMA_FILE, text);
    process.stdout.write(`Wrote ${path.relative(process.cwd(), fileURLToPath(API_SCHEMA_FILE))} (${text.split('\n').length} lines)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi:types failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
