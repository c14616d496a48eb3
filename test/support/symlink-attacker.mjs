#!/usr/bin/env node
/**
 * The attacker of the symlink race (test/support/symlink-race.ts), run as its own OS process:
 *
 *   node symlink-attacker.mjs <target-root> <symlink-destination>
 *
 * In a tight loop it moves the real `<target-root>/sub` away to `sub.real`, puts a symlink
 * `sub -> <symlink-destination>` in its place, then removes the symlink and moves the real directory back.
 * Every failing step is ignored (the harness pauses it with SIGSTOP and tidies up between rounds, so it may
 * resume in any state). It writes `ready` once it runs, and yields to its event loop every few swaps so that
 * SIGTERM is handled: then it writes the number of swaps (symlinks put in place) to stdout and exits. It also
 * exits when its stdin closes (the harness died).
 */
import { renameSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';

const [root, destination] = process.argv.slice(2);
if (!root || !destination) {
  process.stderr.write('usage: symlink-attacker.mjs <target-root> <symlink-destination>\n');
  process.exit(2);
}
const sub = path.join(root, 'sub');
const parked = path.join(root, 'sub.real');
let swaps = 0;

function attempt(step) {
  try {
    step();
    return true;
  } catch {
    return false;
  }
}

let finishing = false;
function finish() {
  if (finishing) return;
  finishing = true;
  process.stdout.write(`${swaps}\n`, () => process.exit(0));
}
process.on('SIGTERM', finish);
process.stdin.on('end', finish);
process.stdin.on('data', () => {});
process.stdin.resume();
process.stdout.write('ready\n');

for (;;) {
  for (let i = 0; i < 64; i++) {
    attempt(() => renameSync(sub, parked));
    if (attempt(() => symlinkSync(destination, sub))) swaps++;
    attempt(() => unlinkSync(sub));
    attempt(() => renameSync(parked, sub));
  }
  await new Promise((resolve) => setImmediate(resolve));
}
