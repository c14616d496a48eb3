import { createRequire } from 'node:module';

/** The package version, read once (package.json sits beside `src/` and `dist/`). */
export const APP_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
