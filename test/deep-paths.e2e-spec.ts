import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from './support/eventually.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A tree deeper than the OS lets a path name (PATH_MAX, 4,096 bytes): 25 levels of 200-byte directory names, a
 * file at the bottom.
 * The scan must not crash or hang, must count what it can read, and must say — in health — that it could not read the
 * rest (such entries are never counted and never deleted).
 */

const LEVELS = 25;
const LEVEL = 'd'.repeat(200);

let app: TestApp;
let root: string;

beforeAll(async () => {
  app = await startTestApp();
  root = path.join(app.volumesDir, 'cam', 'deep');
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'top.bin'), 'x');
  // Built by relative steps: no single path to it is short enough for mkdir -p.
  execFileSync('bash', ['-c', `cd "$1" && for i in $(seq ${LEVELS}); do mkdir ${LEVEL} && cd ${LEVEL} || exit 1; done && echo bottom > bottom.bin`, 'deep', root]);
}, 60_000);

afterAll(async () => {
  // rm -rf walks it by descriptors, as find does.
  execFileSync('rm', ['-rf', root]);
  await app?.close();
});

describe('paths longer than the OS takes', () => {
  it('counts what it can read and reports the rest in health, without crashing', async () => {
    const found = Number(execFileSync('bash', ['-c', `find "$1" -type f | wc -l`, 'find', root], { encoding: 'utf8' }).trim());
    expect(found).toBe(2);
    const registered = await rawRequest(app.url, 'POST', '/api/register', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ volume_name: 'cam', path: '/deep', algorithm: 'max_size', params: { max_bytes: 1_000_000, dry_run: true } }),
    });
    expect(registered.status).toBe(201);
    const health = await eventually('health reports the unreadable entries', async () => {
      const answer = await rawRequest(app.url, 'GET', '/api/health');
      const body = answer.json as { problems: string[]; measuring: Array<{ root: string; files: number; scan_errors: number }> };
      const target = body.measuring.find((m) => m.root === root);
      return target && target.scan_errors > 0 ? { body, target } : undefined;
    }, 30_000, 100);
    expect(health.target.files).toBe(1);
    expect(health.body.problems.join('\n')).toMatch(new RegExp(`${root.replace(/[/.]/g, '\\$&')}: \\d+ entries could not be read at the last scan`));
  }, 60_000);
});
