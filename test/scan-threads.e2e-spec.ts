import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanThreads } from '../src/adapters/filesystem/scan-threads.js';
import { entriesOf } from '../src/measuring/scan-output.js';
import { mountTmpfs } from './support/tmpfs.js';

/** The built worker (npm run build): scan threads run compiled code, as in the service. */
const WORKER = path.resolve('dist/adapters/filesystem/scan.worker.js');

describe('scan threads (kept from one scan to the next)', () => {
  let fs: ReturnType<typeof mountTmpfs>;
  const roots: string[] = [];

  beforeAll(() => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: npm run build first`);
    fs = mountTmpfs('scan-threads', 16 * 2 ** 20, 20_000);
    for (let t = 0; t < 60; t++) {
      const root = path.join(fs.mount, `t${t}`);
      mkdirSync(path.join(root, 'sub'), { recursive: true });
      for (let f = 0; f <= t % 7; f++) writeFileSync(path.join(root, 'sub', `f${f}`), 'x'.repeat(f));
      roots.push(root);
    }
  });

  afterAll(() => fs.unmount());

  const scan = async (threads: ScanThreads, root: string): Promise<string[]> => {
    const reply = await threads.run({ root, relative: '', part: { index: 0, of: 1 }, usageOnly: false });
    if (reply.kind !== 'done') throw new Error(`answered ${reply.kind}`);
    return [...entriesOf(reply.output)].map((e) => `${e.path}:${e.size}`).sort();
  };
  const expected = (t: number): string[] => Array.from({ length: (t % 7) + 1 }, (_, f) => `sub/f${f}:${f}`);

  it('scans sixty targets one after another and two at a time on the same two threads, each result its own', async () => {
    const threads = new ScanThreads(WORKER, 2);
    try {
      for (let t = 0; t < 30; t++) expect(await scan(threads, roots[t]!)).toEqual(expected(t));
      for (let t = 30; t < 60; t += 2) {
        const [a, b] = await Promise.all([scan(threads, roots[t]!), scan(threads, roots[t + 1]!)]);
        expect([a, b]).toEqual([expected(t), expected(t + 1)]);
      }
      expect(threads.threadsStarted).toBe(2);
      expect(threads.idleThreads).toBe(2);
    } finally {
      await threads.close();
    }
    expect(threads.idleThreads).toBe(0);
  });

  it('answers usage-only jobs on the same threads, and starts anew after close', async () => {
    const threads = new ScanThreads(WORKER, 1);
    try {
      const reply = await threads.run({ root: roots[6]!, relative: '', part: { index: 0, of: 1 }, usageOnly: true });
      expect(reply).toEqual({ kind: 'usage', usage: expect.objectContaining({ files: 7, bytes: 21 }) });
      expect(await scan(threads, roots[3]!)).toEqual(expected(3));
      expect(threads.threadsStarted).toBe(1);
      await threads.close();
      expect(await scan(threads, roots[4]!)).toEqual(expected(4));
      expect(threads.threadsStarted).toBe(2);
    } finally {
      await threads.close();
    }
  });
});
