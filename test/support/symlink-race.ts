/**
 * The symlink race (SPEC §11), reusable by tests and benchmarks: a deleter is asked to delete `sub/file-N` inside a
 * target while a separate attacker process (symlink-attacker.mjs) keeps replacing the real `sub` with a symlink
 * `sub -> ../outside`, where canary files carry the same names `file-N`. A deleter that follows the symlink loses
 * canaries.
 *
 * Layout (one temporary directory per run, removed at the end):
 *   target/sub/file-N       the planned files, recreated every round (entries from lstat of the real files)
 *   target/sub.real         where the attacker parks the real directory while `sub` is the symlink
 *   outside/file-N          the canaries, never planned by path; any that go missing are counted and recreated
 *
 * Between rounds the attacker is paused (SIGSTOP, waited for until /proc reports it stopped) so that the harness can
 * tidy up and recreate files without racing itself; it runs (SIGCONT) exactly while the deleter runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileEntry } from '../../src/measuring/file-entry.js';
import { entryFromStats } from '../../src/measuring/scan-output.js';

export const ATTACKER_SCRIPT = fileURLToPath(new URL('./symlink-attacker.mjs', import.meta.url));

export interface SymlinkRaceOptions {
  /** Rounds to run (fewer when `stopOnLoss` ends the run early). */
  readonly rounds: number;
  readonly deleter: (root: string, entries: FileEntry[]) => Promise<unknown>;
  /** Planned files (and canaries) per round; 50 by default. */
  readonly filesPerRound?: number;
  /** End the run after the first round that lost a canary. */
  readonly stopOnLoss?: boolean;
}

export interface SymlinkRaceResult {
  /** Rounds actually run. */
  readonly rounds: number;
  /** Canary files outside the target that went missing (summed over rounds). */
  readonly canariesLost: number;
  /** How often the attacker put the symlink in place (over the whole run). */
  readonly swaps: number;
  /** Planned files inside the target that the deleter did delete (summed over rounds). */
  readonly deletedInside: number;
}

/** The deleter the harness must catch: joins the path and unlinks, following whatever symlinks are there. */
export async function naivePathDeleter(root: string, entries: readonly FileEntry[]): Promise<void> {
  for (const entry of entries) {
    try {
      unlinkSync(path.join(root, entry.path));
    } catch {
      // missing or not a file: ignore, as a naive tool would
    }
  }
}

function entryOf(absolute: string, relative: string): FileEntry {
  return entryFromStats(relative, lstatSync(absolute));
}

function lstatOrUndefined(file: string): import('node:fs').Stats | undefined {
  return lstatSync(file, { throwIfNoEntry: false });
}

/** Process state letter from /proc/<pid>/stat (R, S, D, T, Z, ...), or undefined when gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

export async function runSymlinkRace(options: SymlinkRaceOptions): Promise<SymlinkRaceResult> {
  if (process.platform !== 'linux') throw new Error('the symlink race needs Linux (/proc)');
  const filesPerRound = options.filesPerRound ?? 50;
  const names = Array.from({ length: filesPerRound }, (_, i) => `file-${i}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'symlink-race-'));
  const target = path.join(tmp, 'target');
  const outside = path.join(tmp, 'outside');
  const sub = path.join(target, 'sub');
  const parked = path.join(target, 'sub.real');

  /** Recreates missing canaries; returns how many were missing. */
  const restoreCanaries = (): number => {
    if (!lstatOrUndefined(outside)?.isDirectory()) {
      rmSync(outside, { force: true });
      mkdirSync(outside);
    }
    let missing = 0;
    for (const name of names) {
      const file = path.join(outside, name);
      if (lstatOrUndefined(file)?.isFile()) continue;
      missing++;
      rmSync(file, { recursive: true, force: true });
      writeFileSync(file, `canary ${name}\n`);
    }
    return missing;
  };

  /** With the attacker stopped: the real directory back at `sub`, no symlinks left (recreated if removed). */
  const normalise = (): void => {
    for (const candidate of [sub, parked]) {
      if (lstatOrUndefined(candidate)?.isSymbolicLink()) unlinkSync(candidate);
    }
    const parkedIsDir = lstatOrUndefined(parked)?.isDirectory() ?? false;
    if (parkedIsDir && !existsSync(sub)) renameSync(parked, sub);
    else if (parkedIsDir) rmSync(parked, { recursive: true, force: true });
    if (!lstatOrUndefined(sub)?.isDirectory()) {
      rmSync(sub, { force: true });
      mkdirSync(sub);
    }
  };

  mkdirSync(target);
  mkdirSync(outside);
  mkdirSync(sub);
  restoreCanaries();

  const attacker = spawn(process.execPath, [ATTACKER_SCRIPT, target, '../outside'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = attacker.pid;
  let stdout = '';
  let stderr = '';
  attacker.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  attacker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => {
    if (attacker.exitCode !== null || attacker.signalCode !== null) resolve();
    else attacker.once('exit', () => resolve());
  });

  const signal = (name: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };

  /** SIGSTOP, then wait until the kernel reports the attacker stopped (it may be inside a rename until then). */
  const pause = (): void => {
    if (pid === undefined) throw new Error('the attacker has no pid');
    signal('SIGSTOP');
    const deadline = Date.now() + 5_000;
    for (;;) {
      const state = processState(pid);
      if (state === 'T' || state === 't') return;
      if (state === undefined || state === 'Z' || state === 'X') throw new Error(`the attacker died: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`the attacker did not stop (state ${state})`);
    }
  };

  let rounds = 0;
  let canariesLost = 0;
  let deletedInside = 0;
  try {
    if (pid === undefined) throw new Error('could not start the attacker');
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (stdout.includes('ready\n')) resolve();
          else attacker.stdout.once('data', check);
        };
        check();
      }),
      exited.then(() => {
        throw new Error(`the attacker exited before it was ready: ${stderr}`);
      }),
    ]);

    for (let round = 0; round < options.rounds; round++) {
      pause();
      normalise();
      const entries = names.map((name) => {
        const file = path.join(sub, name);
        writeFileSync(file, `planned ${round} ${name}\n`);
        return entryOf(file, `sub/${name}`);
      });
      signal('SIGCONT');
      try {
        await options.deleter(target, entries);
      } finally {
        pause();
      }
      normalise();
      for (const name of names) if (!existsSync(path.join(sub, name))) deletedInside++;
      const lost = restoreCanaries();
      canariesLost += lost;
      rounds++;
      if (lost > 0 && options.stopOnLoss) break;
    }
  } finally {
    signal('SIGCONT');
    signal('SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') {
      signal('SIGKILL');
      await exited;
    }
    attacker.stdin.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }

  const reported = /(\d+)\s*$/.exec(stdout.replace(/ready\n/, ''));
  if (!reported) throw new Error(`the attacker did not report its swaps (stdout ${JSON.stringify(stdout)}, stderr ${stderr})`);
  return { rounds, canariesLost, swaps: Number(reported[1]), deletedInside };
}
