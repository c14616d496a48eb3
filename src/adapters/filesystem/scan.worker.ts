import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { usageOf } from '../../measuring/scan-output.js';
import { scanTree } from './scanner.js';

/**
 * Worker entry: scans `workerData.root` (optionally below `workerData.relative`), posting progress, then the
 * packed result — or, with `usageOnly`, just the totals.
 */
const { root, relative, part, usageOnly } = workerData as { root: string; relative: string; part: { index: number; of: number }; usageOnly: boolean };
// A background measurement (a volume's size, never a target's index) walks at the lowest CPU priority, so that on
// a busy machine it waits rather than the event loop: on Linux, setpriority(2) on the calling thread's id 0 changes
// this thread alone (elsewhere it would change the whole process, so it is left as it is).
if (usageOnly && process.platform === 'linux') {
  try {
    setPriority(19);
  } catch {
    // Not permitted here: the walk runs at the normal priority.
  }
}
const output = scanTree(root, relative, part, (files) => parentPort!.postMessage({ kind: 'progress', files }));
if (usageOnly) parentPort!.postMessage({ kind: 'usage', usage: usageOf(output) });
else parentPort!.postMessage({ kind: 'done', output }, [output.numbers.buffer as ArrayBuffer, output.fileDirs.buffer as ArrayBuffer]);
