import { parentPort, workerData } from 'node:worker_threads';
import { usageOf } from '../../measuring/scan-output.js';
import { scanTree } from './scanner.js';

/**
 * Worker entry: scans `workerData.root` (optionally below `workerData.relative`), posting progress, then the
 * packed result — or, with `usageOnly`, just the totals.
 */
const { root, relative, part, usageOnly } = workerData as { root: string; relative: string; part: { index: number; of: number }; usageOnly: boolean };
const output = scanTree(root, relative, part, (files) => parentPort!.postMessage({ kind: 'progress', files }));
if (usageOnly) parentPort!.postMessage({ kind: 'usage', usage: usageOf(output) });
else parentPort!.postMessage({ kind: 'done', output }, [output.numbers.buffer as ArrayBuffer, output.fileDirs.buffer as ArrayBuffer]);
