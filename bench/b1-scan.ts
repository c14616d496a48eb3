import { FsTreeReader } from '../src/adapters/filesystem/tree-reader.adapter.js';
import { ensureTree, median, ratio, say, timeCommand, warm } from './util.js';

/** B1: a full scan (worker thread, distinct inodes, no symlinks, one mount) against `du -sb` in the same run. */
export async function benchScan(files: number, dirs: number, rounds = 3): Promise<Record<string, number>> {
  const root = ensureTree(`tree-${files}`, files, dirs);
  warm(root);
  const scanner = new FsTreeReader();
  const ours: number[] = [];
  const du: number[] = [];
  const find: number[] = [];
  let counted = 0;
  for (let i = 0; i < rounds; i++) {
    du.push(timeCommand('du', ['-sb', root]));
    const started = performance.now();
    const output = await scanner.scan(root);
    ours.push(performance.now() - started);
    counted = output.files.count;
    find.push(timeCommand('find', [root, '-type', 'f', '-printf', '%i %s %T@\n']));
  }
  const result = { files: counted, ourMs: median(ours), duMs: median(du), findMs: median(find) };
  say(
    `B1 scan ${counted.toLocaleString('en')} files: ours ${result.ourMs.toFixed(0)} ms (${Math.round(counted / (result.ourMs / 1000)).toLocaleString('en')} files/s), ` +
      `du -sb ${result.duMs.toFixed(0)} ms, find -printf ${result.findMs.toFixed(0)} ms → ${ratio(result.ourMs, result.duMs)} du, ${ratio(result.ourMs, result.findMs)} find`,
  );
  return result;
}
