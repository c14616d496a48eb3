import { existsSync, lstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Injectable, Logger } from '@nestjs/common';
import { scanTree, type ScanOutput } from './scanner.js';

const WORKER = fileURLToPath(new URL('./scan.worker.js', import.meta.url));
/** Walking more trees at once than there are cores only makes each slower. */
export const MAX_PARALLEL_SCANS = 2;

/**
 * Runs scans in a worker thread so that the event loop keeps serving while millions of files are listed.
 * (When running from TypeScript sources, where the compiled worker does not exist, it scans in-thread.)
 */
@Injectable()
export class ScanRunner {
  private readonly logger = new Logger(ScanRunner.name);
  private readonly useWorker = existsSync(WORKER);
  /** Scans in flight, and those waiting for a slot: at most MAX_PARALLEL_SCANS walk the disk at once. */
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  async scan(root: string, relative = ''): Promise<ScanOutput> {
    // A missing root needs no thread (targets registered before their app created them).
    if (!this.useWorker || !lstatSync(root, { throwIfNoEntry: false })?.isDirectory()) return scanTree(root, relative);
    if (this.active >= MAX_PARALLEL_SCANS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await this.inWorker(root, relative);
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private inWorker(root: string, relative: string): Promise<ScanOutput> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER, { workerData: { root, relative } });
      worker.once('message', (output: ScanOutput) => resolve(output));
      worker.once('error', (error: Error) => {
        this.logger.error(`Scan of ${root} failed: ${error.message}`);
        reject(error);
      });
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`scan worker exited with code ${code}`));
      });
    });
  }

  /** Synchronous scan of a small subtree (a directory that just appeared), on the calling thread. */
  scanNow(root: string, relative: string): ScanOutput {
    return scanTree(root, relative);
  }
}
