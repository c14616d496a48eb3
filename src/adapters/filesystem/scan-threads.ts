import { Worker } from 'node:worker_threads';
import type { ScanOutput, TreeUsage } from '../../measuring/scan-output.js';

/** What one scan thread is asked to do: scan `root` (below `relative`), its `part` of the top level, or only total it. */
export interface ScanJob {
  readonly root: string;
  readonly relative: string;
  readonly part: { index: number; of: number };
  readonly usageOnly: boolean;
}

export type ScanReply = { kind: 'progress'; files: number } | { kind: 'done'; output: ScanOutput } | { kind: 'usage'; usage: TreeUsage };

/** An idle thread waits this long for the next scan before it ends (its heap goes with it). */
export const IDLE_THREAD_MS = 5_000;

/**
 * Scan threads kept for the next scan. Starting a worker thread costs tens of milliseconds of CPU (a fresh V8
 * isolate loading the scanner): a thousand small targets scanned one after another at start-up would pay that a
 * thousand times, more than their walks. A thread takes one job at a time; idle threads (at most `keep`) wait
 * IDLE_THREAD_MS for the next and never keep the process alive.
 */
export class ScanThreads {
  private readonly idle: Worker[] = [];
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  private started = 0;

  constructor(
    private readonly script: string,
    private readonly keep: number,
    private readonly idleMs = IDLE_THREAD_MS,
  ) {}

  /** Threads started so far (a thread reused for many scans counts once). */
  get threadsStarted(): number {
    return this.started;
  }

  /** Threads waiting for a job now. */
  get idleThreads(): number {
    return this.idle.length;
  }

  /** Runs one job on a free thread (a new one when none is idle); `onProgress` hears its progress messages. */
  run(job: ScanJob, onProgress?: (files: number) => void): Promise<Exclude<ScanReply, { kind: 'progress' }>> {
    const worker = this.take();
    return new Promise((resolve, reject) => {
      const detach = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (message: ScanReply): void => {
        if (message.kind === 'progress') return onProgress?.(message.files);
        detach();
        this.give(worker);
        resolve(message);
      };
      // A thread that failed or ended is not reused: the next job starts a new one.
      const onError = (error: Error): void => {
        detach();
        void worker.terminate();
        reject(error);
      };
      const onExit = (code: number): void => {
        detach();
        reject(new Error(`scan worker exited with code ${code}`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(job);
    });
  }

  /** Ends the idle threads (at shutdown); later jobs start new ones. */
  async close(): Promise<void> {
    const idle = this.idle.splice(0);
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    await Promise.all(idle.map((worker) => worker.terminate()));
  }

  private take(): Worker {
    const worker = this.idle.pop();
    if (worker) {
      clearTimeout(this.idleTimers.get(worker));
      this.idleTimers.delete(worker);
      worker.ref();
      return worker;
    }
    this.started++;
    return new Worker(this.script);
  }

  private give(worker: Worker): void {
    if (this.idle.length >= this.keep) {
      void worker.terminate();
      return;
    }
    worker.unref();
    this.idle.push(worker);
    const timer = setTimeout(() => {
      this.idleTimers.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      void worker.terminate();
    }, this.idleMs);
    timer.unref();
    this.idleTimers.set(worker, timer);
  }
}
