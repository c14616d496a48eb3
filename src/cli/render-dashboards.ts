import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS } from '../metrics/dashboards.js';

/** The dashboards as Grafana reads them: one JSON file each, two-space indented, newline-terminated. */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(Object.entries(DASHBOARDS).map(([uid, dashboard]) => [`${uid}.json`, `${JSON.stringify(dashboard, null, 2)}\n`]));
}

/** `npm run dashboards`: writes grafana/dashboards/*.json (a test checks the committed files are current). */
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'grafana', 'dashboards');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(renderDashboards())) {
    writeFileSync(path.join(dir, name), text);
    process.stdout.write(`Wrote grafana/dashboards/${name}\n`);
  }
}
