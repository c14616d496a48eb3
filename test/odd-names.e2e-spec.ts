import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bytesFromName, nameFromBytes } from '../src/common/file-name.js';
import { EventBus } from '../src/common/event-bus.js';
import type { EventRecord } from '../src/event-log/event.types.js';
import { MeasuringService } from '../src/measuring/measuring.service.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { eventually } from './support/eventually.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * File names are bytes (SPEC §5): a real service on a real directory full of odd files — names that are not UTF-8,
 * controls, NFC/NFD twins, 255-byte names, a tree 1,100 levels deep, FIFOs, sockets and devices, 1,000 hard links, a
 * sparse 1 TB file — measured as find measures them, shown escaped, deleted by policy by their bytes.
 */

const IS_ROOT = process.getuid?.() === 0;
const DEPTH = 1100;
const OLD = new Date(Date.now() - 10 * 86_400_000);

let app: TestApp;
let root: string;
const committed: EventRecord[] = [];

/** The OS path of an escaped path below the target root. */
const raw = (escaped: string): Buffer => Buffer.concat([Buffer.from(`${root}/`), bytesFromName(escaped)]);

/** Writes a file named by its escape, modified long ago. */
function writeOld(escaped: string, content: string | Buffer = 'x'): void {
  writeFileSync(raw(escaped), content);
  utimesSync(raw(escaped), OLD, OLD);
}

/** What find sees under the root: regular-file paths (as bytes, escaped), bytes and 512-byte blocks over distinct inodes. */
function findTally(): { paths: string[]; files: number; bytes: number; blocks: number } {
  const out = execFileSync('find', [root, '-type', 'f', '-printf', '%i %s %b %P\\0'], { maxBuffer: 64 * 1024 * 1024 });
  const inodes = new Map<string, { size: number; blocks: number }>();
  const paths: string[] = [];
  for (let from = 0, at = out.indexOf(0); at >= 0; from = at + 1, at = out.indexOf(0, from)) {
    const record = out.subarray(from, at);
    const fields: Buffer[] = [];
    let start = 0;
    for (let k = 0; k < 3; k++) {
      const space = record.indexOf(0x20, start);
      fields.push(record.subarray(start, space));
      start = space + 1;
    }
    const [ino, size, blocks] = fields.map((f) => f.toString('latin1'));
    inodes.set(ino!, { size: Number(size), blocks: Number(blocks) });
    paths.push(nameFromBytes(record.subarray(start)));
  }
  let bytes = 0;
  let blocks = 0;
  for (const inode of inodes.values()) {
    bytes += inode.size;
    blocks += inode.blocks;
  }
  return { paths: paths.sort(), files: paths.length, bytes, blocks };
}

/** Escaped names directly in a directory (escaped path), read as bytes. */
const namesIn = (escaped: string): string[] => readdirSync(escaped === '' ? root : raw(escaped), { encoding: 'buffer' }).map((b) => nameFromBytes(b)).sort();

const MP4_255_ASCII = `${'a'.repeat(251)}.mp4`;
const MP4_255_MULTI = `${'é'.repeat(125)}x.mp4`;
const MP4_255_INVALID = `${'\\xff'.repeat(251)}.mp4`;
const NFC = 'caf\u00e9.mp4';
const NFD = 'cafe\u0301.mp4';
const ODD_MP4 = [
  'f\\xff.mp4',
  'caf\\xe9/clip\\x80.mp4',
  'new\\x0aline.mp4',
  'tab\\x09and\\x1besc.mp4',
  'back\\\\slash.mp4',
  NFC,
  NFD,
  MP4_255_ASCII,
  MP4_255_MULTI,
  MP4_255_INVALID,
  `${Array.from({ length: DEPTH }, () => 'd').join('/')}/deep.mp4`,
];

beforeAll(async () => {
  app = await startTestApp();
  app.running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => {
    committed.push(...events);
  });
  root = path.join(app.volumesDir, 'cam', 'rec');
  mkdirSync(raw('caf\\xe9'), { recursive: true });
  mkdirSync(raw(Array.from({ length: DEPTH }, () => 'd').join('/')), { recursive: true });
  for (const name of ODD_MP4) writeOld(name, `bytes of ${name}`);
  for (const name of [MP4_255_ASCII, MP4_255_MULTI, MP4_255_INVALID]) if (bytesFromName(name).length !== 255) throw new Error(`${name}: not 255 bytes`);
  // What Node shows for f<0xff>.mp4 when it reads names as strings: a real, different file, to be kept.
  writeOld('f\\xef\\xbf\\xbd.keep', 'twin');
  // 1,000 paths to one inode: bytes counted once, files per path (SPEC §2, as find counts them).
  mkdirSync(raw('links'));
  writeOld('links/h0.keep', Buffer.alloc(4096, 1));
  for (let i = 1; i < 1000; i++) linkSync(raw('links/h0.keep'), raw(`links/h${i}.keep`));
  // A sparse 1 TB file: bytes by st_size, disk bytes by blocks.
  execFileSync('truncate', ['-s', '1T', path.join(root, 'sparse.keep')]);
  utimesSync(path.join(root, 'sparse.keep'), OLD, OLD);
  // Special files: never opened (a FIFO opened for reading blocks forever), counted or deleted, even when the
  // policy's pattern matches them.
  execFileSync('mkfifo', [path.join(root, 'pipe.mp4'), path.join(root, 'fifo')]);
  renameSync(path.join(root, 'fifo'), raw('fifo\\xff.mp4')); // arguments are strings: the bytes come by rename
  const socket = path.join(root, 'sock.mp4');
  execFileSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => process.exit(0))`]);
  if (IS_ROOT) {
    execFileSync('mknod', [path.join(root, 'null.mp4'), 'c', '1', '3']);
    execFileSync('mknod', [path.join(root, 'loop.mp4'), 'b', '7', '200']);
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const specials = (): string[] => ['pipe.mp4', 'fifo\\xff.mp4', 'sock.mp4', ...(IS_ROOT ? ['null.mp4', 'loop.mp4'] : [])];

function kindOf(escaped: string): string {
  const s = lstatSync(raw(escaped));
  return s.isFIFO() ? 'fifo' : s.isSocket() ? 'socket' : s.isCharacterDevice() ? 'char' : s.isBlockDevice() ? 'block' : s.isFile() ? 'file' : 'other';
}

async function register(params: Record<string, unknown>): Promise<string> {
  const response = await rawRequest(app.url, 'POST', '/api/register', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'remove_before_date', params: { max_age_days: 1, include: '*.mp4', ...params } }),
  });
  expect([200, 201]).toContain(response.status);
  return (response.json as { id: string }).id;
}

describe('file names are bytes (real service, real directory)', () => {
  let id: string;

  it("counts every regular file as find does: paths, bytes and disk bytes, special files left out", async () => {
    id = await register({ dry_run: true });
    const monitor = await app.running.app.get(MeasuringService).ready(id);
    const expected = findTally();
    expect(expected.files).toBe(ODD_MP4.length + 1 + 1000 + 1);
    expect(monitor!.tally).toEqual({ files: expected.files, bytes: expected.bytes, diskBytes: expected.blocks * 512 });
    expect(monitor!.tally.bytes).toBeGreaterThanOrEqual(2 ** 40);
    expect(monitor!.tally.diskBytes).toBeLessThan(1024 * 1024); // the sparse terabyte takes almost no disk
    // Every indexed path is find's path, byte for byte, in the escape; the twins are two files.
    expect(monitor!.files.toArray().map((e) => e.path).sort()).toEqual(expected.paths);
    expect(expected.paths).toEqual(expect.arrayContaining([NFC, NFD, 'f\\xff.mp4', 'f\\xef\\xbf\\xbd.keep']));
    const health = (await rawRequest(app.url, 'GET', '/api/health')).json as { measuring: Array<{ files: number; bytes: number }> };
    expect(health.measuring[0]).toMatchObject({ files: expected.files, bytes: expected.bytes });
  });

  it('shows the odd names escaped in the preview, each decoding back to the bytes on disk', async () => {
    const preview = (await rawRequest(app.url, 'GET', `/api/registrations/${id}/preview`)).json as { files: number; paths: string[] };
    expect(preview.files).toBe(ODD_MP4.length);
    expect([...preview.paths].sort()).toEqual([...ODD_MP4].sort());
    for (const shown of preview.paths) {
      expect(shown).not.toMatch(/[\p{Cc}\ufffd]/u);
      const dir = shown.includes('/') ? shown.slice(0, shown.lastIndexOf('/')) : '';
      expect(readdirSync(dir === '' ? root : raw(dir), { encoding: 'buffer' }).some((b) => b.equals(bytesFromName(shown.slice(shown.lastIndexOf('/') + 1))))).toBe(true);
    }
  });

  it('deletes the odd-named files by policy, by their bytes, leaving special files, twins and links alone', async () => {
    await register({});
    const manual = await rawRequest(app.url, 'POST', '/api/cleanup', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ volume_name: 'cam', path: '/rec' }) });
    expect(manual.status).toBe(200);
    // This run, or a trigger that won the race to it: the event log holds the run that deleted them.
    const cleanup = committed.find((e): e is EventRecord<'cleanup.completed'> => e.type === 'cleanup.completed' && !e.payload.dry_run && e.payload.files > 0)!;
    expect(cleanup).toBeDefined();
    expect(cleanup.payload.files).toBe(ODD_MP4.length);
    expect(cleanup.payload.first_paths).toEqual(expect.arrayContaining(['f\\xff.mp4', 'new\\x0aline.mp4', NFC, NFD]));
    expect(namesIn('')).toEqual(['f\\xef\\xbf\\xbd.keep', 'links', 'sparse.keep', ...specials()].sort());
    expect(namesIn('links')).toHaveLength(1000);
    expect(specials().map(kindOf)).toEqual(['fifo', 'fifo', 'socket', ...(IS_ROOT ? ['char', 'block'] : [])]);
    const monitor = app.running.app.get(MeasuringService).monitor(id)!;
    const after = findTally();
    await eventually('the tally back in line with find', () => (monitor.tally.files === after.files && monitor.tally.bytes === after.bytes ? true : undefined));
    expect(after.files).toBe(1002);
  });

  it('picks up a new file that is not UTF-8 through the watcher, and counts it as find does', async () => {
    const monitor = app.running.app.get(MeasuringService).monitor(id)!;
    expect(monitor.stats.watching).toBe(true);
    mkdirSync(raw('new\\xfe'));
    writeFileSync(raw('new\\xfe/late\\xff.keep'), 'late bytes');
    writeFileSync(raw('late\\xfd.keep'), 'more');
    const entry = await eventually('the new files in the index', () =>
      monitor.files.get('new\\xfe/late\\xff.keep') && monitor.files.get('late\\xfd.keep') ? monitor.files.get('new\\xfe/late\\xff.keep') : undefined,
    );
    expect(entry.size).toBe(10);
    const expected = findTally();
    expect(monitor.tally).toMatchObject({ files: expected.files, bytes: expected.bytes });
    expect(monitor.files.toArray().map((e) => e.path).sort()).toEqual(expected.paths);
  });
});
