import { parentPort, workerData } from 'node:worker_threads';
import { scanTree } from './scanner.js';

/** Worker entry: scans `workerData.root` (optionally below `workerData.relative`), posting progress, then the packed result. */
const { root, relative, part } = workerData as { root: string; relative: string; part: { index: number; of: number } };
const output = scanTree(root, relative, part, (files) => parentPort!.postMessage({ kind: 'progress', files }));
parentPort!.postMessage({ kind: 'done', output }, [output.numbers.buffer as ArrayBuffer, output.fileDirs.buffer as ArrayBuffer]);
