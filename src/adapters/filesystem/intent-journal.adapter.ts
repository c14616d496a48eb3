import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { IntentJournal, type FileIdentity, type IntendedFile, type IntentHeader, type OpenIntent } from '../../cleanup/intent-journal.port.js';
import { osPath } from '../../common/file-name.js';
import { isCode } from './errno.js';

export const INTENTS_DIR = 'intents';

interface OpenFile {
  fd: number;
  /** Everything written so far: an intent whose sync failed is written again whole, to a new file. */
  readonly lines: string[];
}

/**
 * Intents as JSON-lines files: a header line, then one `[path, size, dev, ino]` line per planned file (about
 * 40 bytes plus the path). Each append is one write then fdatasync. A failed sync is never simply retried on the
 * same descriptor (Linux may have dropped the dirty pages and cleared the error: PostgreSQL's "fsyncgate"): the
 * intent is written again from memory to a new file, synced, and renamed over the old one.
 */
@Injectable()
export class IntentJournalAdapter extends IntentJournal implements OnModuleDestroy {
  private readonly logger = new Logger(IntentJournalAdapter.name);
  private readonly dir: string;
  private readonly openFiles = new Map<string, OpenFile>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.dir = path.join(config.dataDir, INTENTS_DIR);
  }

  onModuleDestroy(): void {
    for (const file of this.openFiles.values()) closeQuietly(file.fd);
    this.openFiles.clear();
  }

  async open(header: IntentHeader): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const line = `${JSON.stringify(header)}\n`;
    const fd = openSync(this.fileOf(header.run), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND, 0o600);
    const file: OpenFile = { fd, lines: [line] };
    this.openFiles.set(header.run, file);
    this.write(header.run, file, line);
    syncDirectory(this.dir);
  }

  async append(run: string, files: readonly IntendedFile[]): Promise<void> {
    const file = this.openFiles.get(run);
    if (!file) throw new Error(`no open intent for run ${run}`);
    const text = files.map((f) => `${JSON.stringify([f.path, f.size, f.dev, f.ino])}\n`).join('');
    file.lines.push(text);
    this.write(run, file, text);
  }

  close(run: string): void {
    const file = this.openFiles.get(run);
    if (file) closeQuietly(file.fd);
    this.openFiles.delete(run);
    try {
      unlinkSync(this.fileOf(run));
    } catch (error) {
      if (!isCode(error, 'ENOENT')) this.logger.warn(`Could not remove the intent of run ${run}: ${String(error)}`);
    }
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
      const parsed = parseIntent(readFileSync(path.join(this.dir, name), 'utf8'));
      if (parsed) intents.push(parsed);
      else {
        // Not even a header: the crash came before anything was planned, so nothing was deleted under it.
        this.logger.warn(`Intent ${name} has no header: nothing was deleted under it; removed`);
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
    try {
      writeSync(file.fd, text);
      fdatasyncSync(file.fd);
    } catch (error) {
      closeQuietly(file.fd);
      // Never closed twice: the number may be another file's by then.
      file.fd = -1;
      // Thrown on when this fails too (no space: the caller says so once); said here when it saved the intent.
      file.fd = this.rewrite(run, file.lines.join(''));
      this.logger.warn(`Intent of run ${run} could not be synced (${String(error)}): written again to a new file`);
    }
  }

  private rewrite(run: string, text: string): number {
    const temporary = `${this.fileOf(run)}.rewrite`;
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND, 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
      renameSync(temporary, this.fileOf(run));
      syncDirectory(this.dir);
      return fd;
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
  }

  private fileOf(run: string): string {
    return path.join(this.dir, `${run}.intent`);
  }
}

/** The header and every whole file line; a last line cut by the crash is dropped (it was never synced). */
function parseIntent(text: string): OpenIntent | undefined {
  const lines = text.split('\n');
  let header: IntentHeader;
  try {
    header = JSON.parse(lines[0]!) as IntentHeader;
  } catch {
    return undefined;
  }
  const files: IntendedFile[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    try {
      const [p, size, dev, ino] = JSON.parse(line) as [string, number, number, number];
      files.push({ path: p, size, dev, ino });
    } catch {
      break;
    }
  }
  return { header, files };
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
