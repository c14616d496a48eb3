import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { SafeDeleter } from '../src/adapters/deletion/safe-deleter.js';
import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { FileIndex } from '../src/measuring/file-index.js';
import { keepNLatestPolicy } from '../src/policies/keep-n-latest.policy.js';
import { naivePathDeleter, runSymlinkRace } from '../test/support/symlink-race.js';
import { BENCH_DIR, makeTree, ratio, say } from './util.js';

/** B5: delete the oldest half of a tree, all safety checks on, against `find | sort | xargs rm`. */
export async function benchDelete(files = 100_000, dirs = 100): Promise<void> {
  const deleter = new SafeDeleter();
  const scanner = new FsTreeReader();
  const timings: { ours: number[]; shell: number[] } = { ours: [], shell: [] };
  for (let round = 0; round < 2; round++) {
    for (const method of round % 2 === 0 ? (['shell', 'ours'] as const) : (['ours', 'shell'] as const)) {
      const root = path.join(BENCH_DIR, `delete-${method}-${round}`);
      rmSync(root, { recursive: true, force: true });
      makeTree(root, files, dirs, { setTimes: true });
      execFileSync('sync');
      if (method === 'shell') {
        const started = performance.now();
        execFileSync('sh', ['-c', `find ${root} -type f -printf '%T@ %p\\n' | sort -n | head -n ${files / 2} | cut -d' ' -f2- | xargs -d '\\n' rm -f`]);
        timings.shell.push(performance.now() - started);
      } else {
        const started = performance.now();
        const output = await scanner.scan(root);
        const plan = keepNLatestPolicy.plan(FileIndex.fromScan(output), { keep_count: files / 2, min_age_seconds: 0 }, new Date());
        const report = await deleter.deleteFiles(root, plan.delete, { deleteEmptyDirs: true });
        timings.ours.push(performance.now() - started);
        if (report.deleted.length !== files / 2) throw new Error(`deleted ${report.deleted.length}, expected ${files / 2}`);
      }
      rmSync(root, { recursive: true, force: true });
    }
  }
  const ours = Math.min(...timings.ours);
  const shell = Math.min(...timings.shell);
  say(
    `B5 delete the oldest ${(files / 2).toLocaleString('en')} of ${files.toLocaleString('en')} files (scan + plan + safe delete): ` +
      `${ours.toFixed(0)} ms vs find|sort|xargs rm ${shell.toFixed(0)} ms → ${ratio(ours, shell)}`,
  );
}

/** B6: an attacker swaps a subdirectory for a symlink to canaries while cleanups run. */
export async function benchRace(rounds = 1000): Promise<void> {
  const deleter = new SafeDeleter();
  const safe = await runSymlinkRace({ rounds, deleter: (root, entries) => deleter.deleteFiles(root, entries, { deleteEmptyDirs: true }) });
  const naive = await runSymlinkRace({ rounds: 200, deleter: naivePathDeleter });
  say(
    `B6 symlink race: safe deleter ${safe.rounds} rounds, ${safe.swaps.toLocaleString('en')} attacker swaps, ${safe.canariesLost} canaries lost; ` +
      `naive path deleter ${naive.rounds} rounds, ${naive.swaps.toLocaleString('en')} swaps, ${naive.canariesLost} canaries lost`,
  );
}
