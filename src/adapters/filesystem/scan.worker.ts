import { parentPort } from 'node:worker_threads';
import { buffersOf, usageOf } from '../../measuring/scan-output.js';
import type { ScanJob } from './scan-threads.js';
import { scanTree } from './scanner.js';

/**
 * Worker entry, kept for one job after another (scan-threads.ts): each message names a root (optionally a
 * directory below it) and a part; the thread posts progress, then the packed result — or, with `usageOnly`, just
 * the totals.
 */
parentPort!.on('message', ({ root, relative, part, usageOnly }: ScanJob) => {
  const output = scanTree(root, relative, part, (files) => parentPort!.postMessage({ kind: 'progress', files }));
  if (usageOnly) parentPort!.postMessage({ kind: 'usage', usage: usageOf(output) });
  // The packed files are transferred, not cloned: the main thread adopts the buffers as the index's storage.
  else parentPort!.postMessage({ kind: 'done', output }, buffersOf(output.files));
});
