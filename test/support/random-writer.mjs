/**
 * A seeded random writer, run as its own process (as an app writing into its volume would be):
 * node random-writer.mjs <root> <outside> <seed> <operations>
 * Performs the operations under <root> (creates, appends, truncates, renames, deletes, hard links, symlinks,
 * new directories with files written at once, directory renames and removals), then prints the count of
 * each kind of operation as JSON on stdout.
 */
import {
  appendFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { seededRandom } from './random.mjs';

const [root, outside, seedText, operationsText] = process.argv.slice(2);
const random = seededRandom(Number(seedText));
const operations = Number(operationsText);
const dirs = ['', 'existing'];
const files = readdirSync(path.join(root, 'existing')).map((f) => `existing/${f}`);
const pick = (list) => list[Math.floor(random() * list.length)];
const abs = (rel) => path.join(root, rel);
const inDir = (dir, name) => (dir === '' ? name : `${dir}/${name}`);
const counts = {};

for (let op = 0; op < operations; op++) {
  const roll = random();
  let kind;
  try {
    if (roll < 0.3 || files.length < 5) {
      kind = 'create';
      const rel = inDir(pick(dirs), `n${op}`);
      writeFileSync(abs(rel), Buffer.alloc(Math.floor(random() * 4096)));
      files.push(rel);
    } else if (roll < 0.45) {
      kind = 'append';
      appendFileSync(abs(pick(files)), Buffer.alloc(Math.floor(random() * 2048)));
    } else if (roll < 0.52) {
      kind = 'truncate';
      truncateSync(abs(pick(files)), Math.floor(random() * 100));
    } else if (roll < 0.64) {
      kind = 'rename';
      const from = pick(files);
      const to = inDir(pick(dirs), `r${op}`);
      renameSync(abs(from), abs(to));
      files.splice(files.indexOf(from), 1, to);
    } else if (roll < 0.78) {
      kind = 'delete';
      const victim = pick(files);
      unlinkSync(abs(victim));
      files.splice(files.indexOf(victim), 1);
    } else if (roll < 0.84) {
      kind = 'hardlink';
      const to = inDir(pick(dirs), `h${op}`);
      linkSync(abs(pick(files)), abs(to));
      files.push(to);
    } else if (roll < 0.88) {
      kind = 'symlink';
      const target = random() < 0.5 ? path.join(outside, 'big.bin') : abs(pick(files));
      symlinkSync(target, abs(inDir(pick(dirs), `s${op}`)));
    } else if (roll < 0.95) {
      kind = 'mkdir';
      const rel = inDir(pick(dirs), `d${op}`);
      mkdirSync(abs(rel));
      dirs.push(rel);
      // Files written at once into the fresh directory: the case native watchers drop most.
      for (let i = 0; i < 3; i++) {
        writeFileSync(abs(`${rel}/x${i}`), Buffer.alloc(100 + i));
        files.push(`${rel}/x${i}`);
      }
    } else if (roll < 0.97 && dirs.length > 3) {
      kind = 'rename-dir';
      const from = pick(dirs.filter((d) => d !== '' && d !== 'existing'));
      const to = `moved${op}`;
      renameSync(abs(from), abs(to));
      for (let i = 0; i < dirs.length; i++) if (dirs[i] === from || dirs[i].startsWith(`${from}/`)) dirs[i] = to + dirs[i].slice(from.length);
      for (let i = 0; i < files.length; i++) if (files[i].startsWith(`${from}/`)) files[i] = to + files[i].slice(from.length);
    } else if (dirs.length > 3) {
      kind = 'rm-rf';
      const victim = pick(dirs.filter((d) => d !== '' && d !== 'existing'));
      rmSync(abs(victim), { recursive: true, force: true });
      for (let i = dirs.length - 1; i >= 0; i--) if (dirs[i] === victim || dirs[i].startsWith(`${victim}/`)) dirs.splice(i, 1);
      for (let i = files.length - 1; i >= 0; i--) if (files[i].startsWith(`${victim}/`)) files.splice(i, 1);
    } else {
      kind = 'noop';
    }
  } catch (error) {
    kind = `failed:${error.code ?? 'x'}`;
  }
  counts[kind] = (counts[kind] ?? 0) + 1;
}
process.stdout.write(JSON.stringify(counts));
