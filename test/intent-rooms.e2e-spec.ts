import { closeSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { IntentJournalAdapter, readIntent } from '../src/adapters/filesystem/intent-journal.adapter.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { IntendedFile, IntentHeader } from '../src/cleanup/intent-journal.port.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * Deletion intents when the manager's own disk is full (SPEC §8): they are written into preallocated rooms, so a
 * run can still say what it is about to delete with not one block free. On a real 4 MiB tmpfs filled for real.
 */

const MiB = 1024 * 1024;
let fs: ReturnType<typeof mountTmpfs>;
let data: string;
const journals: IntentJournalAdapter[] = [];

beforeEach(() => {
  fs = mountTmpfs('intent-rooms', 4 * MiB, 1024);
  data = path.join(fs.mount, 'data');
});

afterEach(() => {
  for (const journal of journals.splice(0)) journal.onModuleDestroy();
  fs.unmount();
});

/** A journal as the service starts it: SM_STATE_RESERVE_MB=8 gives two rooms of 1 MiB. */
async function journal(reserveMb = 8): Promise<IntentJournalAdapter> {
  const adapter = new IntentJournalAdapter({ dataDir: data, eventLog: { reserveBytes: reserveMb * MiB } } as AppConfig);
  journals.push(adapter);
  await adapter.onModuleInit();
  return adapter;
}

function header(run: string): IntentHeader {
  return {
    run,
    registration_id: 'reg',
    target: 'cam:/rec',
    volume_name: 'cam',
    registration_path: '/rec',
    root: '/volumes/cam/rec',
    trigger: 'threshold',
    algorithm: 'max_size',
    started_at: '2026-12-01T00:00:00.000Z',
  };
}

function files(count: number, prefix: string): IntendedFile[] {
  return Array.from({ length: count }, (_, i) => ({ path: `2026-12-01/${prefix}-${String(i).padStart(6, '0')}.mp4`, size: 2_000_000 + i, dev: 64769, ino: 1_000_000 + i }));
}

/** Writes a ballast until the filesystem refuses a single byte more. */
function fillDisk(): void {
  const fd = openSync(path.join(fs.mount, 'ballast'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  const one = Buffer.alloc(1, 1);
  try {
    for (;;) writeSync(fd, one);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

const intentFiles = (): string[] => readdirSync(path.join(data, 'intents')).filter((n) => n.endsWith('.intent'));

describe('deletion intents on a full disk', () => {
  it('writes a whole intent with not one block free, and a restart reads it back exactly', async () => {
    const first = await journal();
    expect(first.roomsReady()).toBe(2);
    fillDisk();
    expect(() => writeFileSync(path.join(fs.mount, 'one-more'), 'x')).toThrow(/ENOSPC/);

    const planned = files(8000, 'seg');
    await first.open(header('run-full'));
    for (let i = 0; i < planned.length; i += 1000) await first.append('run-full', planned.slice(i, i + 1000));

    // As after a crash: another process start reads the open intent.
    const restarted = await journal();
    const left = await restarted.leftovers();
    expect(left).toHaveLength(1);
    expect(left[0]!.header.run).toBe('run-full');
    expect(left[0]!.files).toEqual(planned);
  });

  it('without rooms (no reserve), the same full disk refuses the intent', async () => {
    await journal(0);
    fillDisk();
    const bare = await journal(0);
    await expect(bare.open(header('run-bare'))).rejects.toThrow(/ENOSPC/);
  });

  it("reads only this run's lines from a reused room, also after a torn write", async () => {
    const adapter = await journal();
    await adapter.open(header('run-a'));
    await adapter.append('run-a', files(5000, 'a'));
    // One whole line of run-a, checksum and all.
    const aLine = readFileSync(path.join(data, 'intents', 'run-a.intent'), 'utf8').split('\n')[1]! + '\n';
    adapter.close('run-a');
    expect(adapter.roomsReady()).toBe(2);
    expect(intentFiles()).toEqual([]);

    // run-b takes the room run-a gave back: it still holds run-a's 5,000 lines after run-b's own.
    const ownB = files(100, 'b');
    await adapter.open(header('run-b'));
    await adapter.append('run-b', ownB);
    const [name] = intentFiles();
    const file = path.join(data, 'intents', name!);
    expect(statSync(file).size).toBe(MiB);
    expect(readIntent(file)!.files).toEqual(ownB);

    // A whole line of another run right where run-b's lines end (a crash can leave a room so): not run-b's.
    const at = readIntentEnd(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from(aLine), 0, Buffer.byteLength(aLine), at);
    expect(readIntent(file)!.files).toEqual(ownB);
    // A crash mid-write: half of run-b's next line lands there.
    const torn = Buffer.from('0badc0de ["2026-12-01/b-torn.mp4",2000');
    writeSync(fd, torn, 0, torn.length, at);
    closeSync(fd);
    expect(readIntent(file)!.files).toEqual(ownB);
  });

  it("does not take a room's earlier run for the run that crashed right after taking it, and keeps the room on a full disk", async () => {
    const adapter = await journal();
    await adapter.open(header('run-a'));
    await adapter.append('run-a', files(2000, 'a'));
    const inode = statSync(path.join(data, 'intents', 'run-a.intent')).ino;
    adapter.close('run-a');
    await adapter.whenRoomsSettled();
    // The room run-a gave back.
    const room = readdirSync(path.join(data, 'intents')).find((n) => statSync(path.join(data, 'intents', n)).ino === inode)!;
    // A crash between taking the room (the rename) and writing run-b's header over run-a's: run-a's header and
    // 2,000 lines, every checksum valid, under run-b's name.
    renameSync(path.join(data, 'intents', room), path.join(data, 'intents', 'run-b.intent'));
    adapter.onModuleDestroy();
    // And the disk is full by the restart: no room can be made anew.
    fillDisk();

    const restarted = await journal();
    expect(restarted.roomsReady()).toBe(1);
    expect(readIntent(path.join(data, 'intents', 'run-b.intent'))).toBeUndefined();
    // Nothing was planned under run-b: nothing to reconcile, and run-a (long on record) is not reported again.
    expect(await restarted.leftovers()).toEqual([]);
    expect(intentFiles()).toEqual([]);
    // The room is a room again (same blocks): on a full disk, deleting it would have lost it.
    const rooms = readdirSync(path.join(data, 'intents')).filter((n) => n.endsWith('.room'));
    expect(rooms).toHaveLength(2);
    expect(rooms.map((n) => statSync(path.join(data, 'intents', n)).ino)).toContain(inode);
  });

  it('gives every room back when runs end, and a restart keeps the same rooms', async () => {
    const adapter = await journal();
    for (const run of ['r1', 'r2', 'r3']) await adapter.open(header(run));
    // Two runs got the rooms, the third a plain file.
    expect(adapter.roomsReady()).toBe(0);
    for (const run of ['r1', 'r2', 'r3']) adapter.close(run);
    await adapter.whenRoomsSettled();
    const rooms = readdirSync(path.join(data, 'intents')).sort();
    expect(rooms).toHaveLength(2);
    expect(rooms.every((n) => n.endsWith('.room'))).toBe(true);
    const inodes = rooms.map((n) => statSync(path.join(data, 'intents', n)).ino);

    const restarted = await journal();
    expect(restarted.roomsReady()).toBe(2);
    expect(readdirSync(path.join(data, 'intents')).sort().map((n) => statSync(path.join(data, 'intents', n)).ino)).toEqual(inodes);
  });

  it('reads an intent left by the release before rooms (plain JSON lines)', async () => {
    const adapter = await journal();
    const legacy = files(3, 'old');
    const text = [JSON.stringify(header('run-old')), ...legacy.map((f) => JSON.stringify([f.path, f.size, f.dev, f.ino]))].join('\n') + '\n';
    writeFileSync(path.join(data, 'intents', 'run-old.intent'), text);
    const left = await adapter.leftovers();
    expect(left.map((i) => [i.header.run, i.files])).toEqual([['run-old', legacy]]);
    rmSync(path.join(data, 'intents', 'run-old.intent'));
  });
});

/** Where an intent's valid lines end: the header and its files, as written. */
function readIntentEnd(file: string): number {
  const intent = readIntent(file)!;
  // The byte length of the lines readIntent accepted: header line + one line per file.
  const text = readFileSync(file, 'utf8');
  let end = 0;
  for (let i = 0; i < 1 + intent.files.length; i++) end = text.indexOf('\n', end) + 1;
  return Buffer.byteLength(text.slice(0, end));
}
