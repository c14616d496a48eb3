import { parentPort } from 'node:worker_threads';
import { usageOf } from '../../measuring/scan-output.js';
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
  else parentPort!.postMessage({ kind: 'done', output }, [output.numbers.buffer as ArrayBuffer, output.fileDirs.buffer as ArrayBuffer]);
});
