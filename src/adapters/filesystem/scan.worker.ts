import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { buffersOf, usageOf } from '../../measuring/scan-output.js';
import type { ScanJob } from './scan-threads.js';
import { scanTree } from './scanner.js';

/**
 * A background measurement (a volume's size, never a target's index) walks at the lowest CPU priority, so that on a
 * busy machine it waits rather than the event loop. On Linux, setpriority(2) on thread id 0 changes this thread
 * alone. Threads are kept from one job to the next, so the next target scan must get its priority back; only root
 * may lower a nice value again, so elsewhere nothing is changed.
 */
const NICE_BACKGROUND = process.platform === 'linux' && process.getuid?.() === 0;
let niced = false;

function prioritise(background: boolean): void {
  if (!NICE_BACKGROUND || background === niced) return;
  try {
    setPriority(background ? 19 : 0);
    niced = background;
  } catch {
    // Not permitted here: the walk runs at the priority it has.
  }
}

/**
 * Worker entry, kept for one job after another (scan-threads.ts): each message names a root (optionally a
 * directory below it) and a part; the thread posts progress, then the packed result — or, with `usageOnly`, just
 * the totals.
 */
parentPort!.on('message', ({ root, relative, part, usageOnly }: ScanJob) => {
  prioritise(usageOnly);
  const output = scanTree(root, relative, part, (files) => parentPort!.postMessage({ kind: 'progress', files }));
  if (usageOnly) parentPort!.postMessage({ kind: 'usage', usage: usageOf(output) });
  // The packed files are transferred, not cloned: the main thread adopts the buffers as the index's storage.
  else parentPort!.postMessage({ kind: 'done', output }, buffersOf(output.files));
});
