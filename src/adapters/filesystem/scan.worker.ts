import { parentPort, workerData } from 'node:worker_threads';
import { buffersOf, usageOf } from '../../measuring/scan-output.js';
import { scanTree } from './scanner.js';

/**
 * Worker entry: scans `workerData.root` (optionally below `workerData.relative`), posting progress, then the
 * packed result — or, with `usageOnly`, just the totals.
 */
const { root, relative, part, usageOnly } = workerData as { root: string; relative: string; part: { index: number; of: number }; usageOnly: boolean };
const output = scanTree(root, relative, part, (files) => parentPort!.postMessage({ kind: 'progress', files }));
if (usageOnly) parentPort!.postMessage({ kind: 'usage', usage: usageOf(output) });
// The packed files are transferred, not cloned: the main thread adopts the buffers as the index's storage.
else parentPort!.postMessage({ kind: 'done', output }, buffersOf(output.files));
