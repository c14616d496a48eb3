import { existsSync, lstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { osPath } from '../../common/file-name.js';
import { joinFiles, usageOf, type DirectoryEntry, type PathStat, type ScanOutput, type TreeUsage } from '../../measuring/scan-output.js';
import { TreeReader } from '../../measuring/tree-reader.port.js';
import { readDirectory } from './exact-names.js';
import { ScanThreads, type ScanJob, type ScanReply } from './scan-threads.js';
import { scanTree } from './scanner.js';

const WORKER = fileURLToPath(new URL('./scan.worker.js', import.meta.url));
/** Walking more trees at once than there are cores only makes each slower. */
export const MAX_PARALLEL_SCANS = 2;
/** Threads one scan uses when it runs alone (the machine's cores, at most 4: more threads hurt). */
export const THREADS_PER_SCAN = Math.max(1, Math.min(4, availableParallelism()));

/** Joins the parts of a split scan into one result (the parts' buffers are freed as they are copied). */
export function mergeOutputs(outputs: readonly ScanOutput[]): ScanOutput {
  const first = outputs[0]!;
  const dirs: string[] = [];
  const offsets: number[] = [];
  for (const output of outputs) {
    // Directory indexes of this part shift by the directories of the parts before it.
    offsets.push(dirs.length);
    for (const dir of output.dirs) dirs.push(dir);
  }
  return {
    rootExists: first.rootExists,
    rootDev: first.rootDev,
    rootIno: first.rootIno,
    dirs,
    files: joinFiles(
      outputs.map((o) => o.files),
      offsets,
    ),
    directories: outputs.reduce((n, o) => n + o.directories, 0),
    errors: outputs.reduce((n, o) => n + o.errors, 0),
    durationMs: Math.max(...outputs.map((o) => o.durationMs)),
  };
}

/**
 * The measuring engine's reads of the disk. Scans run in worker threads, kept from one scan to the next
 * (scan-threads.ts), so that the event loop keeps serving while millions of files are listed. (When running from
 * TypeScript sources, where the compiled worker does not exist, it scans in-thread.)
 */
@Injectable()
export class FsTreeReader extends TreeReader implements OnApplicationShutdown {
  private readonly logger = new Logger(FsTreeReader.name);
  private readonly useWorker = existsSync(WORKER);
  private readonly threads = new ScanThreads(WORKER, Math.max(MAX_PARALLEL_SCANS, THREADS_PER_SCAN));
  /** Scans in flight, and those waiting for a slot: at most MAX_PARALLEL_SCANS walk the disk at once. */
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** Scans `root`; `onProgress` hears the number of files found so far during long scans. */
  async scan(root: string, relative = '', onProgress?: (files: number) => void): Promise<ScanOutput> {
    // A missing root needs no thread (targets registered before their app created them).
    if (!this.useWorker || !lstatSync(root, { throwIfNoEntry: false })?.isDirectory()) return scanTree(root, relative, undefined, onProgress);
    await this.takeSlot();
    try {
      // One scan alone splits its tree between threads; concurrent scans take a thread each.
      const parts = this.active === 1 && this.waiting.length === 0 ? THREADS_PER_SCAN : 1;
      const found = new Array<number>(parts).fill(0);
      const progress = (index: number, files: number): void => {
        found[index] = files;
        onProgress?.(found.reduce((a, b) => a + b, 0));
      };
      if (parts === 1) return await this.inWorker(root, relative, { index: 0, of: 1 }, progress);
      const outputs = await Promise.all(Array.from({ length: parts }, (_, index) => this.inWorker(root, relative, { index, of: parts }, progress)));
      return mergeOutputs(outputs);
    } finally {
      this.releaseSlot();
    }
  }

  /** The usage of a whole tree: one walk in a worker thread that sends back only the totals. */
  async usage(root: string): Promise<TreeUsage> {
    if (!this.useWorker || !lstatSync(root, { throwIfNoEntry: false })?.isDirectory()) return usageOf(scanTree(root));
    await this.takeSlot();
    try {
      // One thread: hard links are counted once only when one walk sees them all.
      const message = await this.runWorker({ root, relative: '', part: { index: 0, of: 1 }, usageOnly: true });
      if (message.kind !== 'usage') throw new Error('scan worker answered without usage');
      return message.usage;
    } finally {
      this.releaseSlot();
    }
  }

  statPath(root: string, relative = ''): PathStat | undefined {
    try {
      return lstatSync(osPath(root, relative), { throwIfNoEntry: false });
    } catch {
      return undefined; // not a directory on the way, no access, beyond PATH_MAX: nothing readable there
    }
  }

  listDirectory(root: string, relative = ''): DirectoryEntry[] | undefined {
    try {
      return readDirectory(osPath(root, relative));
    } catch {
      return undefined;
    }
  }

  private async takeSlot(): Promise<void> {
    if (this.active >= MAX_PARALLEL_SCANS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private releaseSlot(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  /** Idle scan threads end with the service. */
  async onApplicationShutdown(): Promise<void> {
    await this.threads.close();
  }

  private inWorker(
    root: string,
    relative: string,
    part: { index: number; of: number },
    progress: (index: number, files: number) => void,
  ): Promise<ScanOutput> {
    return this.runWorker({ root, relative, part, usageOnly: false }, (files) => progress(part.index, files)).then((message) => {
      if (message.kind !== 'done') throw new Error('scan worker answered without a scan');
      return message.output;
    });
  }

  private async runWorker(job: ScanJob, progress?: (files: number) => void): Promise<Exclude<ScanReply, { kind: 'progress' }>> {
    try {
      return await this.threads.run(job, progress);
    } catch (error) {
      this.logger.error(`Scan of ${job.root} failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** Synchronous scan of a small subtree (a directory that just appeared), on the calling thread. */
  scanNow(root: string, relative: string): ScanOutput {
    return scanTree(root, relative);
  }
}
