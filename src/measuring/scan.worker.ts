import { parentPort, workerData } from 'node:worker_threads';
import { scanTree } from './scanner.js';

/** Worker entry: scans `workerData.root` (optionally below `workerData.relative`) and posts the packed result. */
const { root, relative, part } = workerData as { root: string; relative: string; part: { index: number; of: number } };
const output = scanTree(root, relative, part);
parentPort!.postMessage(output, [output.numbers.buffer as ArrayBuffer]);
