import type { FileEntry } from '../src/measuring/file-entry.js';
import { FileIndex } from '../src/measuring/file-index.js';
import { ArrayFileView } from '../src/measuring/file-view.js';
import { maxSizePolicy } from '../src/policies/max-size.policy.js';
import { median, percentile, say } from './util.js';

const SEGMENT = 2 * 1024 * 1024;
const EVERY_MS = 2000;

/** A camera's segment: cam/<day>/<hour>/seg-<n>.mp4, one every 2 s, 2 MiB each. */
function segment(n: number, base: number): FileEntry {
  const mtimeMs = base + n * EVERY_MS;
  const at = new Date(mtimeMs).toISOString();
  return {
    path: `cam/${at.slice(0, 10)}/${at.slice(11, 13)}/seg-${String(n).padStart(8, '0')}.mp4`,
    size: SEGMENT,
    blocks: SEGMENT / 512,
    mtimeMs,
    ctimeMs: mtimeMs,
    dev: 1,
    ino: n + 1,
    nlink: 1,
  };
}

const heap = (): number => {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

/**
 * B4P: planning one cap crossing of a max_size target (one new segment takes it over by one segment, the oldest
 * goes) at n files: the previous path (the whole index as an array, filtered and sorted) against the kept order
 * (the first read builds it; after that each crossing is the new file's insert, the plan, the deleted file's removal).
 */
export async function benchPlanning(sizes = [10_000, 100_000, 1_000_000], crossings = 200): Promise<void> {
  for (const n of sizes) {
    const base = Date.now() - (n + 10 * crossings) * EVERY_MS - 3_600_000;
    const index = new FileIndex();
    for (let i = 0; i < n; i++) index.upsert(segment(i, base));
    const params = { max_bytes: n * SEGMENT, sort_by: 'mtime' as const };
    let next = n;
    index.upsert(segment(next++, base));
    const now = new Date(base + (n + 10 * crossings) * EVERY_MS);

    const arrayRuns: number[] = [];
    for (let run = 0; run < (n >= 1_000_000 ? 3 : 5); run++) {
      const started = performance.now();
      const plan = maxSizePolicy.plan(new ArrayFileView(index.toArray()), params, now);
      arrayRuns.push(performance.now() - started);
      if (plan.delete.length !== 1) throw new Error(`array plan deletes ${plan.delete.length}`);
    }

    const before = heap();
    let started = performance.now();
    let plan = maxSizePolicy.plan(index, params, now);
    const firstRead = performance.now() - started;
    const orderBytes = heap() - before;
    for (const file of plan.delete) index.remove(file.path);

    const planMs: number[] = [];
    const crossingMs: number[] = [];
    for (let c = 0; c < crossings; c++) {
      started = performance.now();
      index.upsert(segment(next++, base));
      const planStarted = performance.now();
      plan = maxSizePolicy.plan(index, params, now);
      planMs.push(performance.now() - planStarted);
      if (plan.delete.length !== 1) throw new Error(`ordered plan deletes ${plan.delete.length}`);
      for (const file of plan.delete) index.remove(file.path);
      crossingMs.push(performance.now() - started);
    }
    say(
      `B4P plan one crossing of a max_size target, ${n.toLocaleString('en')} files: array + full sort median ${median(arrayRuns).toFixed(1)} ms; ` +
        `kept order: first read (builds it) ${firstRead.toFixed(1)} ms, then per crossing plan p50 ${(percentile(planMs, 50) * 1000).toFixed(0)} µs ` +
        `p99 ${(percentile(planMs, 99) * 1000).toFixed(0)} µs, insert + plan + removal p50 ${(percentile(crossingMs, 50) * 1000).toFixed(0)} µs ` +
        `p99 ${(percentile(crossingMs, 99) * 1000).toFixed(0)} µs; order memory ≈ ${(orderBytes / n).toFixed(1)} B/file`,
    );
  }
}
