import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { FileEntry } from '../../measuring/file-entry.js';
import { entryFromStats } from '../../measuring/scan-output.js';
import { UnsafeDeletionError, type DeletionOptions } from '../../cleanup/file-deleter.port.js';
import { bytesFromName, nameFromBytes } from '../../common/file-name.js';
import { SafeDeleter } from './safe-deleter.js';

/** Writes `relative` under `root` (creating parents) and returns its entry as the planner would see it. */
function makeFile(root: string, relative: string, content = `content of ${relative}`): FileEntry {
  const absolute = path.join(root, relative);
  mkdirSync(path.dirname(absolute), { recursive: true });
  writeFileSync(absolute, content);
  return entryOf(root, relative);
}

function entryOf(root: string, relative: string): FileEntry {
  return entryFromStats(relative, lstatSync(path.join(root, relative)));
}

/** Every path (files and directories, '/'-separated) under `dir`, sorted. */
function listTree(dir: string, prefix = ''): string[] {
  const result: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    result.push(entry.isDirectory() ? `${relative}/` : relative);
    if (entry.isDirectory()) result.push(...listTree(path.join(dir, entry.name), relative));
  }
  return result.sort();
}

const keepDirs: DeletionOptions = { deleteEmptyDirs: false };
const tidyDirs: DeletionOptions = { deleteEmptyDirs: true };

/*
 * What this run can cover depends on who runs it; the describe and test names below say which way each case ran
 * (CI runs as root, where every case runs against real mounts and real permissions).
 */
const UID = process.getuid?.() ?? -1;
const IS_ROOT = UID === 0;
/** The unprivileged user a root run switches to (seteuid) for the permission case. */
const NOBODY = 65534;

/** Whether this process may mount: CAP_SYS_ADMIN (bit 21) in its effective capabilities. */
function canMountHere(): boolean {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match !== null && (BigInt(`0x${match[1]}`) & (1n << 21n)) !== 0n;
}

const UNSHARE = ['--user', '--map-root-user', '--mount'];

/** Why this user cannot mount inside a user and mount namespace of its own, or undefined when it can. */
function namespaceRefusal(): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'safe-deleter-probe-'));
  try {
    const probe = spawnSync('unshare', [...UNSHARE, 'mount', '-t', 'tmpfs', 'tmpfs', dir], { encoding: 'utf8' });
    if (probe.status === 0) return undefined;
    return probe.error?.message ?? (probe.stderr.trim() || `unshare exited with ${String(probe.status)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How the mount cases make a mount inside a target: as root, in this process's own mount namespace (the real
 * thing); otherwise inside a user and mount namespace of a child process (`unshare --user --map-root-user
 * --mount`), whose mounts this process reaches through /proc/<pid>/root; or not at all.
 */
const MOUNTING: { readonly way: 'here' | 'namespace' | 'none'; readonly label: string } = (() => {
  if (IS_ROOT && canMountHere()) return { way: 'here', label: 'mounts made as root in this process' };
  const refusal = namespaceRefusal();
  const who = IS_ROOT ? 'root without CAP_SYS_ADMIN' : 'not root';
  if (refusal === undefined) return { way: 'namespace', label: `${who}: mounts made in a user and mount namespace of a child process` };
  return { way: 'none', label: `NOT COVERED: no CAP_SYS_ADMIN and no user namespace here (${refusal})` };
})();

interface Mounted {
  /** Prefix of absolute paths that see the mount (`/proc/<pid>/root` of the namespace holding it, or ''). */
  readonly via: string;
  unmount(): Promise<void>;
}

/** Mounts a small tmpfs on `target`, or `bindSource` bound onto it, the way MOUNTING says. */
async function mountOn(target: string, bindSource?: string): Promise<Mounted> {
  const args = bindSource === undefined ? ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', target] : ['--bind', bindSource, target];
  if (MOUNTING.way === 'here') {
    const mounted = spawnSync('mount', args, { encoding: 'utf8' });
    if (mounted.status !== 0) throw new Error(`mount ${args.join(' ')} failed: ${mounted.stderr || mounted.error?.message}`);
    return {
      via: '',
      unmount: async () => {
        spawnSync('umount', [target]);
      },
    };
  }
  // The namespace (and its mount) lives as long as this child, which waits for its stdin to close.
  const child = spawn('unshare', [...UNSHARE, 'sh', '-c', 'mount "$@" && echo mounted && read _', 'sh', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('mounted')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`mount ${args.join(' ')} in a namespace failed (exit ${String(code)}): ${err}`)));
  });
  return {
    via: `/proc/${child.pid}/root`,
    unmount: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Whether /dev/shm is a mount of its own below /dev that this user may write (it is on most Linux hosts). */
function devShmIsOwnWritableMount(): boolean {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return lstatSync('/dev/shm').dev !== lstatSync('/dev').dev;
  } catch {
    return false;
  }
}

describe('SafeDeleter', () => {
  let tmp: string;
  let root: string;
  let outside: string;
  const deleter = new SafeDeleter();
  const cleanups: Array<() => void | Promise<void>> = [];

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'safe-deleter-'));
    root = path.join(tmp, 'target');
    outside = path.join(tmp, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Runs `work` as an unprivileged user: as is when this run is not root; as root, with the effective uid switched
   * to NOBODY (glibc switches every thread, libuv's pool too) and the tree handed to it, then switched back.
   */
  async function unprivileged<T>(work: () => Promise<T>): Promise<T> {
    if (!IS_ROOT) return work();
    chmodSync(tmp, 0o755);
    chownSync(root, NOBODY, NOBODY);
    for (const relative of listTree(root)) chownSync(path.join(root, relative), NOBODY, NOBODY);
    process.seteuid!(NOBODY); // POSIX: a root run has it
    try {
      return await work();
    } finally {
      process.seteuid!(0);
    }
  }

  it('deletes exactly the planned files and reports their sizes', async () => {
    const planned = [makeFile(root, 'a.txt', 'aaa'), makeFile(root, '2026/01/cam1.mp4', '12345'), makeFile(root, '2026/02/x', '')];
    makeFile(root, 'keep.txt');
    makeFile(root, '2026/01/cam2.mp4');

    const report = await deleter.deleteFiles(root, planned, keepDirs);

    expect(report.deleted).toEqual([
      { path: 'a.txt', size: 3 },
      { path: '2026/01/cam1.mp4', size: 5 },
      { path: '2026/02/x', size: 0 },
    ]);
    expect(report.bytes).toBe(8);
    expect(report.skipped).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.processed).toBe(3);
    expect(listTree(root)).toEqual(['2026/', '2026/01/', '2026/01/cam2.mp4', '2026/02/', 'keep.txt']);
  });

  it('skips a file whose mtime, size or inode changed after planning', async () => {
    const touched = makeFile(root, 'touched');
    const grown = makeFile(root, 'grown');
    const replaced = makeFile(root, 'replaced');
    const intact = makeFile(root, 'intact');
    utimesSync(path.join(root, 'touched'), new Date(), new Date(Date.now() + 5_000));
    writeFileSync(path.join(root, 'grown'), 'more content than before');
    utimesSync(path.join(root, 'grown'), grown.mtimeMs / 1000, grown.mtimeMs / 1000);
    // Same name, same size, same mtime, new inode.
    writeFileSync(path.join(root, 'replaced.new'), `content of replaced`);
    utimesSync(path.join(root, 'replaced.new'), replaced.mtimeMs / 1000, replaced.mtimeMs / 1000);
    renameSync(path.join(root, 'replaced.new'), path.join(root, 'replaced'));
    expect(lstatSync(path.join(root, 'replaced')).ino).not.toBe(replaced.ino);

    const report = await deleter.deleteFiles(root, [touched, grown, replaced, intact], keepDirs);

    expect(report.deleted.map((d) => d.path)).toEqual(['intact']);
    expect(report.skipped).toEqual([
      { path: 'touched', reason: 'changed since planned' },
      { path: 'grown', reason: 'changed since planned' },
      { path: 'replaced', reason: 'changed since planned' },
    ]);
    expect(listTree(root)).toEqual(['grown', 'replaced', 'touched']);
  });

  it('skips entries under a directory replaced by a symlink to an outside directory', async () => {
    const planned = [makeFile(root, 'sub/file-1'), makeFile(root, 'sub/deeper/file-2'), makeFile(root, 'top')];
    // The attacker: real `sub` moved away, `sub` -> ../outside holding files with the same names.
    writeFileSync(path.join(outside, 'file-1'), 'canary');
    mkdirSync(path.join(outside, 'deeper'));
    writeFileSync(path.join(outside, 'deeper', 'file-2'), 'canary');
    renameSync(path.join(root, 'sub'), path.join(root, 'sub.real'));
    symlinkSync('../outside', path.join(root, 'sub'));
    // Even identical identities must not help: plan the outside files themselves under the inside names.
    const disguised = { ...entryOf(outside, 'file-1'), path: 'sub/file-1' };

    const report = await deleter.deleteFiles(root, [...planned, disguised], tidyDirs);

    expect(report.deleted.map((d) => d.path)).toEqual(['top']);
    expect(report.skipped).toEqual([
      { path: 'sub/file-1', reason: 'symlink in path' },
      { path: 'sub/deeper/file-2', reason: 'symlink in path' },
      { path: 'sub/file-1', reason: 'symlink in path' },
    ]);
    expect(listTree(outside)).toEqual(['deeper/', 'deeper/file-2', 'file-1']);
    expect(lstatSync(path.join(root, 'sub')).isSymbolicLink()).toBe(true);
    expect(listTree(path.join(root, 'sub.real'))).toEqual(['deeper/', 'deeper/file-2', 'file-1']);
  });

  it('never follows a symlink as the final component and only deletes regular files', async () => {
    writeFileSync(path.join(outside, 'secret'), 'canary');
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
    mkdirSync(path.join(root, 'dir'));
    const linkEntry = { ...entryOf(outside, 'secret'), path: 'link' };
    const dirEntry = { ...entryOf(root, 'dir'), path: 'dir' };

    const report = await deleter.deleteFiles(root, [linkEntry, dirEntry], tidyDirs);

    expect(report.deleted).toEqual([]);
    expect(report.skipped).toEqual([
      { path: 'link', reason: 'not a regular file' },
      { path: 'dir', reason: 'not a regular file' },
    ]);
    expect(existsSync(path.join(outside, 'secret'))).toBe(true);
    expect(lstatSync(path.join(root, 'link')).isSymbolicLink()).toBe(true);
  });

  it('rejects paths that could leave the root and never deletes the root itself', async () => {
    writeFileSync(path.join(outside, 'file'), 'canary');
    const outsideEntry = entryOf(outside, 'file');
    const top = makeFile(root, 'only-file');
    const bad = ['../outside/file', 'a/../../outside/file', '/etc/hostname', '', '.', 'a//b', 'a/./b', `a\0b`];

    const report = await deleter.deleteFiles(root, [...bad.map((p) => ({ ...outsideEntry, path: p })), top], tidyDirs);

    expect(report.skipped).toEqual(bad.map((p) => ({ path: p, reason: 'invalid path' })));
    expect(report.deleted.map((d) => d.path)).toEqual(['only-file']);
    expect(report.dirsRemoved).toBe(0);
    expect(lstatSync(root).isDirectory()).toBe(true);
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(path.join(outside, 'file'))).toBe(true);
  });

  it('removes emptied directories deepest first when asked, and only on the path of a deleted file', async () => {
    const planned = [makeFile(root, 'a/b/c/one'), makeFile(root, 'a/b/two'), makeFile(root, 'x/y/three')];
    makeFile(root, 'x/keep');
    mkdirSync(path.join(root, 'empty-untouched/inner'), { recursive: true });

    const report = await deleter.deleteFiles(root, planned, tidyDirs);

    expect(report.deleted).toHaveLength(3);
    expect(report.dirsRemoved).toBe(4); // a/b/c, a/b, a, x/y — x still holds a file
    expect(report.errors).toEqual([]);
    expect(listTree(root)).toEqual(['empty-untouched/', 'empty-untouched/inner/', 'x/', 'x/keep']);
  });

  it('keeps emptied directories when not asked', async () => {
    const planned = [makeFile(root, 'a/b/one'), makeFile(root, 'a/two')];

    const report = await deleter.deleteFiles(root, planned, keepDirs);

    expect(report.dirsRemoved).toBe(0);
    expect(listTree(root)).toEqual(['a/', 'a/b/']);
  });

  it('respects limit (skipped entries do not count) and reports how far it got', async () => {
    const vanished = makeFile(root, 'gone');
    unlinkSync(path.join(root, 'gone'));
    const planned = [vanished, ...['1', '2', '3', '4', '5'].map((n) => makeFile(root, `f${n}`))];

    const report = await deleter.deleteFiles(root, planned, { deleteEmptyDirs: true, limit: 2 });

    expect(report.skipped).toEqual([{ path: 'gone', reason: 'vanished' }]);
    expect(report.deleted.map((d) => d.path)).toEqual(['f1', 'f2']);
    expect(report.processed).toBe(3);
    expect(readdirSync(root).sort()).toEqual(['f3', 'f4', 'f5']);
  });

  it('checks shouldStop between files', async () => {
    const planned = ['1', '2', '3', '4'].map((n) => makeFile(root, `d/f${n}`));
    let calls = 0;

    const report = await deleter.deleteFiles(root, planned, { deleteEmptyDirs: true, shouldStop: () => ++calls > 2 });

    expect(report.deleted.map((d) => d.path)).toEqual(['d/f1', 'd/f2']);
    expect(report.processed).toBe(2);
    expect(readdirSync(path.join(root, 'd')).sort()).toEqual(['f3', 'f4']);
  });

  it('continues after an error on one file', async () => {
    const first = makeFile(root, 'first');
    const tooLong = { ...first, path: `${'n'.repeat(300)}` };
    const last = makeFile(root, 'last');

    const report = await deleter.deleteFiles(root, [first, tooLong, last], keepDirs);

    expect(report.deleted.map((d) => d.path)).toEqual(['first', 'last']);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.path).toBe(tooLong.path);
    expect(report.errors[0]?.message).toMatch(/ENAMETOOLONG/);
  });

  describe(`directory permissions (${IS_ROOT ? `run as root: as root, and as uid ${NOBODY} through seteuid` : `run as uid ${UID}: root's override is not covered`})`, () => {
    if (IS_ROOT) {
      it('as root, deletes in a directory without write permission (the kernel lets root)', async () => {
        const locked = makeFile(root, 'locked/file');
        chmodSync(path.join(root, 'locked'), 0o555);
        cleanups.push(() => chmodSync(path.join(root, 'locked'), 0o755));

        const report = await deleter.deleteFiles(root, [locked], keepDirs);

        expect(report.deleted.map((d) => d.path)).toEqual(['locked/file']);
        expect(report.errors).toEqual([]);
      });
    }

    it(`continues after EACCES on one file (as uid ${IS_ROOT ? NOBODY : UID})`, async () => {
      const locked = makeFile(root, 'locked/file');
      const free = makeFile(root, 'free');
      chmodSync(path.join(root, 'locked'), 0o555);
      cleanups.push(() => chmodSync(path.join(root, 'locked'), 0o755));

      const report = await unprivileged(() => deleter.deleteFiles(root, [locked, free], keepDirs));

      expect(report.deleted.map((d) => d.path)).toEqual(['free']);
      expect(report.errors).toEqual([{ path: 'locked/file', message: expect.stringMatching(/EACCES/) }]);
      expect(existsSync(path.join(root, 'locked/file'))).toBe(true);
    });
  });

  it('refuses a symlink root, or a root below a symlinked directory, and deletes nothing', async () => {
    const real = path.join(tmp, 'real');
    const planned = makeFile(real, 'victim/file');
    symlinkSync(real, path.join(tmp, 'link-root'));

    await expect(deleter.deleteFiles(path.join(tmp, 'link-root'), [planned], tidyDirs)).rejects.toThrow(UnsafeDeletionError);
    await expect(deleter.deleteFiles(path.join(tmp, 'link-root', 'victim'), [{ ...planned, path: 'file' }], tidyDirs)).rejects.toThrow(
      /symlink/,
    );
    await expect(deleter.deleteFiles('relative/root', [planned], tidyDirs)).rejects.toThrow(UnsafeDeletionError);
    await expect(deleter.deleteFiles(path.join(tmp, 'missing'), [planned], tidyDirs)).rejects.toThrow(UnsafeDeletionError);
    expect(existsSync(path.join(real, 'victim/file'))).toBe(true);
  });

  it('follows symlinks above volumeRoot but not below it', async () => {
    const volume = path.join(tmp, 'volume');
    const planned = makeFile(path.join(volume, 'recordings'), 'cam/1.mp4');
    symlinkSync(volume, path.join(tmp, 'volume-link'));
    const viaLink = path.join(tmp, 'volume-link');

    const report = await deleter.deleteFiles(path.join(viaLink, 'recordings'), [planned], { ...tidyDirs, volumeRoot: viaLink });
    expect(report.deleted.map((d) => d.path)).toEqual(['cam/1.mp4']);

    // A target root inside the volume that is a symlink is refused, and so is a root outside the volume.
    symlinkSync(outside, path.join(volume, 'evil'));
    await expect(deleter.deleteFiles(path.join(volume, 'evil'), [], { ...tidyDirs, volumeRoot: volume })).rejects.toThrow(/symlink/);
    await expect(deleter.deleteFiles(outside, [], { ...tidyDirs, volumeRoot: volume })).rejects.toThrow(/not inside/);
  });

  describe(`on other mounts (${MOUNTING.label})`, () => {
    if (MOUNTING.way === 'none') {
      it('cannot mount here, so a tmpfs or bind mount inside a target is not covered by this run', () => {
        expect(canMountHere() || namespaceRefusal() === undefined).toBe(false);
      });
    } else {
      it('does not enter a directory on another filesystem (a tmpfs: st_dev differs)', async () => {
        mkdirSync(path.join(root, 'mnt'));
        const mounted = await mountOn(path.join(root, 'mnt'));
        cleanups.push(() => mounted.unmount());
        const seen = mounted.via + root;
        const planned = [makeFile(seen, 'mnt/victim'), makeFile(seen, 'top')];
        expect(planned[0]!.dev).not.toBe(planned[1]!.dev);

        const report = await deleter.deleteFiles(seen, planned, { ...tidyDirs, volumeRoot: mounted.via === '' ? undefined : seen });

        expect(report.skipped).toEqual([{ path: 'mnt/victim', reason: 'other mount' }]);
        expect(report.deleted.map((d) => d.path)).toEqual(['top']);
        expect(existsSync(path.join(seen, 'mnt/victim'))).toBe(true);
      });

      it('does not enter a bind mount of the same filesystem (mnt_id differs, st_dev does not)', async () => {
        const source = path.join(tmp, 'bind-source');
        const planned = makeFile(root, 'mnt/victim');
        mkdirSync(source);
        writeFileSync(path.join(source, 'victim'), 'canary');
        const mounted = await mountOn(path.join(root, 'mnt'), source);
        cleanups.push(() => mounted.unmount());
        const seen = mounted.via + root;
        const throughMount = entryOf(seen, 'mnt/victim');
        expect(throughMount.dev).toBe(planned.dev);
        expect(throughMount.ino).not.toBe(planned.ino);

        const report = await deleter.deleteFiles(seen, [throughMount], { ...tidyDirs, volumeRoot: mounted.via === '' ? undefined : seen });

        expect(report.skipped).toEqual([{ path: 'mnt/victim', reason: 'other mount' }]);
        expect(existsSync(path.join(source, 'victim'))).toBe(true);
      });
    }

    // A mount that was there before the target (no privilege needed): the tmpfs at /dev/shm, reached from /dev.
    if (devShmIsOwnWritableMount()) {
      it('does not enter a mount that existed before (the tmpfs at /dev/shm, from a root of /dev)', async () => {
        const shmDir = mkdtempSync('/dev/shm/safe-deleter-');
        cleanups.push(() => rmSync(shmDir, { recursive: true, force: true }));
        const planned = makeFile('/dev', `shm/${path.basename(shmDir)}/victim`);

        const report = await deleter.deleteFiles('/dev', [planned], tidyDirs);

        expect(report.skipped).toEqual([{ path: planned.path, reason: 'other mount' }]);
        expect(existsSync(path.join(shmDir, 'victim'))).toBe(true);
      });
    } else {
      it('the pre-existing mount case is not covered here: /dev/shm is not a writable mount of its own', () => {
        expect(devShmIsOwnWritableMount()).toBe(false);
      });
    }
  });

  it('reports in plan order with many files in flight, and agrees with a one-by-one run', async () => {
    const build = (base: string): FileEntry[] => {
      const planned = Array.from({ length: 600 }, (_, i) => makeFile(base, `d${i % 13}/f${i}`, 'x'.repeat(i % 5)));
      for (let i = 0; i < planned.length; i += 7) utimesSync(path.join(base, planned[i]!.path), new Date(), new Date(Date.now() + 9_000));
      for (let i = 3; i < planned.length; i += 11) unlinkSync(path.join(base, planned[i]!.path));
      return planned;
    };
    const other = path.join(tmp, 'other');
    const planned = build(root);
    const plannedOther = build(other);

    const parallel = await deleter.deleteFiles(root, planned, { deleteEmptyDirs: true, concurrency: 16 });
    const oneByOne = await deleter.deleteFiles(other, plannedOther, { deleteEmptyDirs: true, concurrency: 1 });

    expect(parallel).toEqual(oneByOne);
    const order = (list: Array<{ path: string }>): number[] => list.map((item) => Number(item.path.split('/f')[1]));
    expect(order(parallel.deleted)).toEqual([...order(parallel.deleted)].sort((a, b) => a - b));
    expect(order(parallel.skipped)).toEqual([...order(parallel.skipped)].sort((a, b) => a - b));
    expect(parallel.deleted.length + parallel.skipped.length).toBe(600);
    expect(parallel.skipped.filter((s) => s.reason === 'vanished').length).toBeGreaterThan(0);
    expect(parallel.skipped.filter((s) => s.reason === 'changed since planned').length).toBeGreaterThan(0);
    expect(listTree(root)).toEqual(listTree(other));
  });

  it('never deletes more than limit while many files are in flight', async () => {
    const planned = Array.from({ length: 200 }, (_, i) => makeFile(root, `f${String(i).padStart(3, '0')}`));

    const report = await deleter.deleteFiles(root, planned, { deleteEmptyDirs: false, limit: 37, concurrency: 16 });

    expect(report.deleted.map((d) => d.path)).toEqual(planned.slice(0, 37).map((e) => e.path));
    expect(report.processed).toBe(37);
    expect(readdirSync(root)).toHaveLength(163);
  });

  it('rethrows a failing shouldStop only after everything in flight settled, closing every descriptor', async () => {
    const planned = Array.from({ length: 100 }, (_, i) => makeFile(root, `d${i % 10}/f${i}`));
    const before = readdirSync('/proc/self/fd').length;
    let calls = 0;
    const shouldStop = (): boolean => {
      if (++calls > 50) throw new Error('stop check broke');
      return false;
    };

    await expect(deleter.deleteFiles(root, planned, { deleteEmptyDirs: false, shouldStop })).rejects.toThrow('stop check broke');

    expect(listTree(root).filter((p) => !p.endsWith('/'))).toHaveLength(50);
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(before);
  });

  it('closes every descriptor it opened, also beyond the cache bound', async () => {
    const planned = Array.from({ length: 300 }, (_, i) => makeFile(root, `d${i}/e/f`));
    const before = readdirSync('/proc/self/fd').length;

    const report = await deleter.deleteFiles(root, planned, tidyDirs);

    expect(report.deleted).toHaveLength(300);
    expect(report.dirsRemoved).toBe(600);
    expect(readdirSync(root)).toEqual([]);
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(before);
  });
  describe('names that are bytes', () => {
    /** The OS path of an escaped relative path under the root. */
    const bytesPath = (relative: string): Buffer => Buffer.concat([Buffer.from(`${root}/`), bytesFromName(relative)]);
    /** Writes a file by the bytes of its escaped path and returns its entry under that escape. */
    function makeRaw(relative: string, content = 'x'): FileEntry {
      const slash = relative.lastIndexOf('/');
      if (slash > 0) mkdirSync(bytesPath(relative.slice(0, slash)), { recursive: true });
      writeFileSync(bytesPath(relative), content);
      return entryFromStats(relative, lstatSync(bytesPath(relative)));
    }
    const namesIn = (relative: string): string[] =>
      readdirSync(relative === '' ? root : bytesPath(relative), { encoding: 'buffer' }).map((name) => nameFromBytes(name)).sort();

    it('deletes names that are not UTF-8 (and odd ones that are) by their bytes, sparing a lossy twin', async () => {
      const invalid = nameFromBytes(Buffer.from([0x66, 0xff, 0x2e, 0x6d, 0x70, 0x34]));
      expect(invalid).toBe('f\\xff.mp4');
      const planned = [makeRaw(invalid, 'abc'), makeRaw('caf\\xe9/x.mp4', 'de'), makeRaw('back\\\\slash'), makeRaw('new\\x0aline')];
      // What Node shows for the first name when read as a string: a different file, which must stay.
      writeFileSync(path.join(root, 'f\ufffd.mp4'), 'twin');
      makeRaw('f\\xfe.mp4');

      const report = await deleter.deleteFiles(root, planned, tidyDirs);

      expect(report.errors).toEqual([]);
      expect(report.skipped).toEqual([]);
      expect(report.deleted.map((d) => d.path)).toEqual([invalid, 'caf\\xe9/x.mp4', 'back\\\\slash', 'new\\x0aline']);
      expect(report.bytes).toBe(3 + 2 + 1 + 1);
      expect(report.dirsRemoved).toBe(1);
      expect(namesIn('')).toEqual(['f\\xef\\xbf\\xbd.mp4', 'f\\xfe.mp4']);
    });

    it('re-checks identity by the bytes: a replaced file with an odd name is skipped', async () => {
      const entry = makeRaw('r\\xe9sum\\xe9.txt', 'one');
      unlinkSync(bytesPath(entry.path));
      writeFileSync(bytesPath(entry.path), 'other content');

      const report = await deleter.deleteFiles(root, [entry], keepDirs);

      expect(report.skipped).toEqual([{ path: entry.path, reason: 'changed since planned' }]);
      expect(namesIn('')).toEqual(['r\\xe9sum\\xe9.txt']);
    });

    it('refuses an escaped NUL as an invalid path', async () => {
      const report = await deleter.deleteFiles(root, [{ ...makeFile(root, 'a'), path: 'a\\x00b' }], keepDirs);
      expect(report.skipped).toEqual([{ path: 'a\\x00b', reason: 'invalid path' }]);
      expect(readdirSync(root)).toEqual(['a']);
    });

    it('deletes a file 1,100 levels down and tidies every level, closing what it opened', async () => {
      const deep = Array.from({ length: 1100 }, () => 'd').join('/');
      const planned = [makeFile(root, `${deep}/f`, 'deep'), makeFile(root, `${deep.slice(0, 999)}/g`, 'less deep')];
      const before = readdirSync('/proc/self/fd').length;

      const report = await deleter.deleteFiles(root, planned, tidyDirs);

      expect(report.errors).toEqual([]);
      expect(report.deleted.map((d) => d.size)).toEqual([4, 9]);
      expect(report.dirsRemoved).toBe(1100);
      expect(readdirSync(root)).toEqual([]);
      expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(before);
    });
  });
});
