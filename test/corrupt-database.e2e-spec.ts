import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { rawRequest } from './support/raw-http.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';

/**
 * A SQLite file at SM_DB_PATH that is not a database, or is damaged, stops the real service at start-up with a
 * message naming the file and the way to recover, a non-zero status, and the file exactly as it was: no new empty
 * log, no -wal or -shm left beside it. (SQLite only: SM_DB_URL has no file.)
 */

const EXIT_CORRUPT_DATABASE = 65;
const REGISTRATIONS = 60;

let dir: string;
let valid: Buffer;
const started: ServiceProcess[] = [];

function start(dbPath: string): ServiceProcess {
  const volumes = path.join(dir, 'volumes');
  mkdirSync(volumes, { recursive: true });
  const service = spawnService({ SM_DB_PATH: dbPath, SM_VOLUMES_DIR: volumes, SM_API_PORT: '0', SM_STATE_RESERVE_MB: '0' }, dir);
  started.push(service);
  return service;
}

async function stop(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  service.child.kill(signal);
  return service.exited;
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A directory of its own for one case, holding `bytes` as storage_manager.db. */
function caseFile(name: string, bytes: Buffer | string): string {
  const caseDir = path.join(dir, name);
  mkdirSync(caseDir, { recursive: true });
  const file = path.join(caseDir, 'storage_manager.db');
  writeFileSync(file, bytes);
  return file;
}

/** The valid log with the root page of its events table overwritten: the header is intact, one b-tree is not. */
function withCorruptedEventsPage(): Buffer {
  const probe = caseFile('probe', valid);
  const db = new Database(probe, { readonly: true });
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'events'").get() as { rootpage: number };
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const bytes = Buffer.from(valid);
  bytes.fill(0x5a, (rootpage - 1) * pageSize, rootpage * pageSize);
  return bytes;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sm-corrupt-'));
  // A real log made by the service itself: registrations (pending: their volumes do not exist), a clean stop.
  const file = path.join(dir, 'valid', 'storage_manager.db');
  const service = start(file);
  const url = await service.ready;
  for (let i = 0; i < REGISTRATIONS; i++) {
    const body = JSON.stringify({ volume_name: `vol-${i}`, path: `/data/${'x'.repeat(100)}-${i}`, algorithm: 'max_size', params: { max_bytes: 1000 + i } });
    const response = await rawRequest(url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body });
    if (response.status !== 201) throw new Error(`registration ${i} answered ${response.status}: ${response.text}`);
  }
  const status = await stop(service);
  const left = readdirSync(path.dirname(file));
  // Checkpointed at a clean stop: the file alone is the whole log.
  if (status !== 0 || left.join() !== 'storage_manager.db') throw new Error(`the valid log was not stopped cleanly (${status}, ${left.join()})`);
  valid = readFileSync(file);
  if (valid.length <= 16 * 4096) throw new Error(`the valid log is too small to cut in half meaningfully (${valid.length} bytes)`);
});

afterEach(async () => {
  for (const service of started.splice(0)) {
    if (service.child.exitCode === null && service.child.signalCode === null) await stop(service, 'SIGKILL');
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a corrupt SQLite file at start-up', () => {
  it.each([
    ['garbage bytes', () => randomBytes(256 * 1024), /is not an SQLite database/],
    ['a text file', () => 'registrations:\n  - volume: cam\n    path: /recordings\n'.repeat(50), /is not an SQLite database/],
    ['an empty file', () => Buffer.alloc(0), /is empty \(0 bytes\)/],
    ['the first half of a real log', () => valid.subarray(0, Math.floor(valid.length / 2)), /is damaged/],
    ['a real log with a corrupted page', () => withCorruptedEventsPage(), /is damaged/],
  ])('%s: exits non-zero naming the file and how to recover, and leaves the file exactly as it was', async (name, bytes, problem) => {
    const file = caseFile(name.replace(/\W+/g, '-'), bytes());
    const before = sha256(file);

    const service = start(file);

    expect(await service.exited).toBe(EXIT_CORRUPT_DATABASE);
    const output = service.output();
    expect(output).toContain(`The database file ${file} `);
    expect(output).toMatch(problem);
    expect(output).toContain(`mv ${file} ${file}.corrupt`); // move it aside: a new empty log starts
    expect(output).toMatch(/restore a copy of the file from a backup/);
    expect(output).toMatch(/POST \/api\/registrations\/import/);
    expect(output).not.toMatch(/Listening on|State rebuilt/);
    expect(sha256(file)).toBe(before);
    expect(readdirSync(path.dirname(file))).toEqual(['storage_manager.db']);
  });

  it('a real log starts as before, also after a kill that left its WAL beside it', async () => {
    const file = caseFile('copy', valid);
    const first = start(file);
    const url = await first.ready;
    expect(first.output()).toMatch(/quick_check ok/);
    expect(((await rawRequest(url, 'GET', '/api/registrations')).json as unknown[]).length).toBe(REGISTRATIONS);
    expect(await stop(first, 'SIGKILL')).toBe('SIGKILL');
    expect(readdirSync(path.dirname(file))).toContain('storage_manager.db-wal');

    const second = start(file);
    const again = await second.ready;
    expect(((await rawRequest(again, 'GET', '/api/registrations')).json as unknown[]).length).toBe(REGISTRATIONS);
    expect(await stop(second)).toBe(0);
  });
});
