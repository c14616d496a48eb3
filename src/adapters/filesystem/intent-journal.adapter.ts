import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, constants } from 'node:fs';
import { lstat, open as openFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { IntentJournal, type FileIdentity, type IntendedFile, type IntentHeader, type OpenIntent } from '../../cleanup/intent-journal.port.js';
import { osPath } from '../../common/file-name.js';
import { isCode } from './errno.js';

export const INTENTS_DIR = 'intents';

/** Preallocated intent files kept ready (runs on several targets can be under way at once). */
const ROOMS = 2;
/** A room's size: an eighth of the state reserve, at most 4 MiB (≈ 45,000 planned files of a 50-byte path). */
const MAX_ROOM_BYTES = 4 * 1024 * 1024;
const ROOM_SUFFIX = '.room';

interface OpenFile {
  fd: number;
  /** Where the next write goes: intents are written in place, so that a room's blocks are reused. */
  offset: number;
  /** Whether the file is a room (its blocks preallocated): it becomes one again when the run ends. */
  room: boolean;
  /** Seed of the run's line checksums (the crc32 of its id). */
  readonly seed: number;
  /** Everything written so far: an intent whose sync failed is written again whole, to a new file. */
  readonly lines: string[];
}

/**
 * Intents as checked lines: `<crc32, 8 hex> <json>`, a header line, then one `[path, size, dev, ino]` line per
 * planned file (about 50 bytes plus the path). Each append is one positional write then fdatasync. A failed sync is
 * never simply retried on the same descriptor (Linux may have dropped the dirty pages and cleared the error:
 * PostgreSQL's "fsyncgate"): the intent is written again from memory to a new file, synced, and renamed over the old one.
 *
 * The manager's disk may be full exactly when cleanup matters most, and an intent that cannot be written leaves a
 * crash window with no record of what was deleted. So, as databases do with their WAL segments, intents are written
 * into rooms: files of zeros written (real blocks, not sparse) while there was space, renamed to the run's intent
 * and overwritten in place, which needs no new block; when the run's outcome is committed the file becomes a room
 * again. A room still holds an earlier run's lines after those just written; every file line's checksum is seeded
 * with its run's id, so the parser stops at the first line that is not this run's (or is torn, or zeros).
 */
@Injectable()
export class IntentJournalAdapter extends IntentJournal implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IntentJournalAdapter.name);
  private readonly dir: string;
  private readonly roomBytes: number;
  private readonly openFiles = new Map<string, OpenFile>();
  /** Rooms ready to be taken, by file name. */
  private readonly rooms: string[] = [];
  private replenishing: Promise<void> | undefined;
  private roomSerial = 0;
  /** Whether the last attempt to make a room found no space (said once per spell). */
  private roomsShort = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.dir = path.join(config.dataDir, INTENTS_DIR);
    this.roomBytes = Math.min(MAX_ROOM_BYTES, Math.floor(config.eventLog.reserveBytes / 8 / 4096) * 4096);
  }

  async onModuleInit(): Promise<void> {
    if (this.roomBytes === 0) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(`${ROOM_SUFFIX}.new`)) await rm(path.join(this.dir, name), { force: true });
      if (!name.endsWith(ROOM_SUFFIX)) continue;
      if (this.rooms.length < ROOMS && statSync(path.join(this.dir, name)).size >= this.roomBytes) this.rooms.push(name);
      else await rm(path.join(this.dir, name), { force: true });
    }
    await this.replenish();
  }

  onModuleDestroy(): void {
    for (const file of this.openFiles.values()) closeQuietly(file.fd);
    this.openFiles.clear();
  }

  /** Rooms ready (for tests and health). */
  roomsReady(): number {
    return this.rooms.length;
  }

  /** Resolves once the rooms missing have been made, or could not be (no space: tried again after the next run). */
  whenRoomsSettled(): Promise<void> {
    return this.replenishing ?? Promise.resolve();
  }

  async open(header: IntentHeader): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const line = checkedLine(JSON.stringify(header), 0);
    const room = this.takeRoom(header.run);
    const fd = room ?? openSync(this.fileOf(header.run), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    const file: OpenFile = { fd, offset: 0, room: room !== undefined, seed: crc32(header.run), lines: [line] };
    this.openFiles.set(header.run, file);
    this.write(header.run, file, line);
    syncDirectory(this.dir);
  }

  async append(run: string, files: readonly IntendedFile[]): Promise<void> {
    const file = this.openFiles.get(run);
    if (!file) throw new Error(`no open intent for run ${run}`);
    const text = files.map((f) => checkedLine(JSON.stringify([f.path, f.size, f.dev, f.ino]), file.seed)).join('');
    file.lines.push(text);
    this.write(run, file, text);
  }

  close(run: string): void {
    const file = this.openFiles.get(run);
    if (file) closeQuietly(file.fd);
    this.openFiles.delete(run);
    try {
      // An intent left by a crash was a room when it has a room's size (its blocks are real: written as zeros).
      const room = file ? file.room : this.roomBytes > 0 && statSync(this.fileOf(run)).size === this.roomBytes;
      if (room && this.rooms.length < ROOMS) {
        const name = this.roomName();
        renameSync(this.fileOf(run), path.join(this.dir, name));
        this.rooms.push(name);
      } else unlinkSync(this.fileOf(run));
    } catch (error) {
      if (!isCode(error, 'ENOENT')) this.logger.warn(`Could not remove the intent of run ${run}: ${String(error)}`);
    }
    if (this.rooms.length < ROOMS && this.roomBytes > 0) void this.replenish();
  }

  async leftovers(): Promise<OpenIntent[]> {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.intent'));
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw error;
    }
    const intents: OpenIntent[] = [];
    for (const name of names) {
      const run = name.slice(0, -'.intent'.length);
      if (this.openFiles.has(run)) continue;
      const parsed = readIntent(path.join(this.dir, name));
      if (parsed) intents.push(parsed);
      else {
        // No header of this run: the crash came before anything was planned, so nothing was deleted under it.
        this.logger.warn(`Intent ${name} has no header of its run: nothing was deleted under it; removed`);
        this.close(run);
      }
    }
    return intents.sort((a, b) => a.header.started_at.localeCompare(b.header.started_at));
  }

  async identify(root: string, relative: string): Promise<FileIdentity> {
    try {
      const stats = await lstat(osPath(root, relative));
      return { dev: stats.dev, ino: stats.ino };
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return 'absent';
      throw error;
    }
  }

  private write(run: string, file: OpenFile, text: string): void {
    const bytes = Buffer.from(text);
    try {
      writeAll(file.fd, bytes, file.offset);
      fdatasyncSync(file.fd);
      file.offset += bytes.length;
    } catch (error) {
      closeQuietly(file.fd);
      // Never closed twice: the number may be another file's by then.
      file.fd = -1;
      // Thrown on when this fails too (no space: the caller says so once); said here when it saved the intent.
      const whole = Buffer.from(file.lines.join(''));
      file.fd = this.rewrite(run, whole);
      file.offset = whole.length;
      file.room = false;
      this.logger.warn(`Intent of run ${run} could not be synced (${String(error)}): written again to a new file`);
    }
  }

  private rewrite(run: string, bytes: Buffer): number {
    const temporary = `${this.fileOf(run)}.rewrite`;
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      writeAll(fd, bytes, 0);
      fsyncSync(fd);
      renameSync(temporary, this.fileOf(run));
      syncDirectory(this.dir);
      return fd;
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
  }

  /** A ready room renamed to the run's intent, opened for writing in place; undefined when none is ready. */
  private takeRoom(run: string): number | undefined {
    while (this.rooms.length > 0) {
      const name = this.rooms.pop()!;
      try {
        renameSync(path.join(this.dir, name), this.fileOf(run));
        return openSync(this.fileOf(run), constants.O_WRONLY);
      } catch (error) {
        this.logger.warn(`Intent room ${name} could not be used (${String(error)})`);
      }
    }
    return undefined;
  }

  /** Makes the missing rooms: zeros written and synced under a temporary name, then renamed. One pass at a time. */
  private replenish(): Promise<void> {
    this.replenishing ??= (async () => {
      try {
        while (this.rooms.length < ROOMS) {
          const name = this.roomName();
          const temporary = path.join(this.dir, `${name}.new`);
          try {
            const handle = await openFile(temporary, 'w', 0o600);
            try {
              const zeros = Buffer.alloc(Math.min(this.roomBytes, 1024 * 1024));
              for (let at = 0; at < this.roomBytes; at += zeros.length) await handle.write(zeros, 0, Math.min(zeros.length, this.roomBytes - at), at);
              await handle.sync();
            } finally {
              await handle.close();
            }
            // A run may have given its room back meanwhile.
            if (this.rooms.length >= ROOMS) {
              await rm(temporary, { force: true });
              break;
            }
            await rename(temporary, path.join(this.dir, name));
            this.rooms.push(name);
            if (this.roomsShort) this.logger.log(`Intent rooms ready again (${this.rooms.length} of ${ROOMS})`);
            this.roomsShort = false;
          } catch (error) {
            await rm(temporary, { force: true });
            if (!this.roomsShort)
              this.logger.warn(
                `Could not prepare an intent room of ${this.roomBytes} bytes in ${this.dir} (${String(error)}): ${this.rooms.length} of ${ROOMS} ready; tried again after each run`,
              );
            this.roomsShort = true;
            return;
          }
        }
        syncDirectory(this.dir);
      } finally {
        this.replenishing = undefined;
      }
    })();
    return this.replenishing;
  }

  private roomName(): string {
    for (;;) {
      const name = `${process.pid}-${Date.now()}-${this.roomSerial++}${ROOM_SUFFIX}`;
      if (!this.rooms.includes(name)) return name;
    }
  }

  private fileOf(run: string): string {
    return path.join(this.dir, `${run}.intent`);
  }
}

/**
 * The intent a file holds (its header and this run's lines), undefined without a whole header of the run its name
 * says. A room is renamed to the run's intent before the run's header is written over an earlier run's: a crash
 * between the two leaves `<run>.intent` holding an earlier run's valid header and lines, which are not this run's.
 */
export function readIntent(file: string): OpenIntent | undefined {
  const intent = parseIntent(readFileSync(file, 'utf8'));
  return intent?.header.run === path.basename(file, '.intent') ? intent : undefined;
}

/** `<crc32 of json, seeded, 8 hex> <json>\n` */
function checkedLine(json: string, seed: number): string {
  return `${crc32(json, seed).toString(16).padStart(8, '0')} ${json}\n`;
}

/** The JSON of a checked line, or undefined when the line is torn, zeros, or another run's. */
function checkedJson(line: string, seed: number): string | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined;
  const json = line.slice(9);
  return line.slice(0, 8) === crc32(json, seed).toString(16).padStart(8, '0') ? json : undefined;
}

/**
 * The header and every line of this run up to the first that is not (cut by the crash, never synced, or left in a
 * room by an earlier run). Intents of the release before rooms (plain JSON lines, header first) are read too.
 */
function parseIntent(text: string): OpenIntent | undefined {
  const lines = text.split('\n');
  const legacy = lines[0]!.startsWith('{');
  let header: IntentHeader;
  try {
    const json = legacy ? lines[0]! : checkedJson(lines[0]!, 0);
    if (json === undefined) return undefined;
    header = JSON.parse(json) as IntentHeader;
  } catch {
    return undefined;
  }
  const seed = crc32(header.run);
  const files: IntendedFile[] = [];
  for (const line of lines.slice(1)) {
    if (legacy && line === '') continue;
    try {
      const json = legacy ? line : checkedJson(line, seed);
      if (json === undefined) break;
      const [p, size, dev, ino] = JSON.parse(json) as [string, number, number, number];
      files.push({ path: p, size, dev, ino });
    } catch {
      break;
    }
  }
  return { header, files };
}

/** One positional write of all the bytes (a short write is continued). */
function writeAll(fd: number, bytes: Buffer, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function closeQuietly(fd: number): void {
  if (fd < 0) return;
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
