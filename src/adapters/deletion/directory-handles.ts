import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { osPath } from '../../common/file-name.js';
import { UnsafeDeletionError, type SkipReason } from '../../cleanup/file-deleter.port.js';

/*
 * The descriptors the safe deleter holds (see safe-deleter.ts for the whole scheme): the target root, opened one
 * component at a time, and the directories below it, each opened from its held parent through
 * /proc/self/fd/<fd>/<name>. Names below the root are in the file-name escape (src/common/file-name.ts) and reach
 * the kernel as their exact bytes.
 */

export const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
let procChecked = false;

export function requireProcFd(): void {
  if (procChecked) return;
  if (process.platform !== 'linux' || !existsSync('/proc/self/fdinfo') || !existsSync('/proc/self/fd')) {
    throw new UnsafeDeletionError('safe deletion needs Linux with /proc/self/fd and /proc/self/fdinfo: refusing to delete');
  }
  procChecked = true;
}

/** `name` (in the file-name escape) in the directory held by `fd`: the exact bytes when it is not plain UTF-8. */
export function fdPath(fd: number, name: string): string | Buffer {
  return osPath(`/proc/self/fd/${fd}`, name);
}

/** A component of a root path (an OS path as configured, never escaped) in the directory held by `fd`. */
function rootComponentPath(fd: number, component: string): string {
  return `/proc/self/fd/${fd}/${component}`;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The mount id of an open descriptor, or undefined when /proc does not tell it. */
function mountId(fd: number): number | undefined {
  let info: string;
  try {
    info = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
  } catch {
    return undefined;
  }
  const match = /^mnt_id:\s*(\d+)\s*$/m.exec(info);
  return match ? Number(match[1]) : undefined;
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or never valid: nothing to release
  }
}

export interface RootHandle {
  readonly fd: number;
  readonly dev: number;
  readonly mnt: number;
}

/**
 * Opens `root` one component at a time with `O_NOFOLLOW`, starting at `/` (or at `volumeRoot`, which is opened
 * following symlinks). Throws UnsafeDeletionError when a component is a symlink or the root is unusable.
 */
export function openRoot(root: string, volumeRoot: string | undefined): RootHandle {
  if (!path.isAbsolute(root)) throw new UnsafeDeletionError(`target root must be absolute: ${root}`);
  const target = path.resolve(root);
  let start: string;
  let fd: number;
  if (volumeRoot !== undefined) {
    if (!path.isAbsolute(volumeRoot)) throw new UnsafeDeletionError(`volume root must be absolute: ${volumeRoot}`);
    start = path.resolve(volumeRoot);
    const relative = path.relative(start, target);
    if (relative === '..' || relative.startsWith('../') || path.isAbsolute(relative)) {
      throw new UnsafeDeletionError(`target root ${target} is not inside its volume ${start}`);
    }
    try {
      fd = openSync(start, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (error) {
      throw new UnsafeDeletionError(`cannot open volume root ${start}: ${errorMessage(error)}`);
    }
  } else {
    start = '/';
    fd = openSync('/', constants.O_RDONLY | constants.O_DIRECTORY);
  }
  try {
    const startMnt = mountId(fd);
    if (startMnt === undefined) throw new UnsafeDeletionError('cannot read mnt_id from /proc/self/fdinfo: refusing to delete');
    // The magic links must resolve to the held directory itself, or nothing below is safe.
    const viaProc = lstatSync(`/proc/self/fd/${fd}/.`, { throwIfNoEntry: false });
    const direct = fstatSync(fd);
    if (viaProc?.dev !== direct.dev || viaProc.ino !== direct.ino) {
      throw new UnsafeDeletionError('/proc/self/fd does not resolve to held descriptors: refusing to delete');
    }
    const components = path.relative(start, target).split('/').filter((c) => c !== '');
    for (const component of components) {
      let next: number;
      try {
        next = openSync(rootComponentPath(fd, component), DIR_FLAGS);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ELOOP' || code === 'ENOTDIR') {
          throw new UnsafeDeletionError(`target root ${target} is not a plain directory path (symlink or file at "${component}")`);
        }
        throw new UnsafeDeletionError(`cannot open target root ${target}: ${errorMessage(error)}`);
      }
      closeSync(fd);
      fd = next;
    }
    const mnt = mountId(fd);
    if (mnt === undefined) throw new UnsafeDeletionError('cannot read mnt_id from /proc/self/fdinfo: refusing to delete');
    if (volumeRoot !== undefined && mnt !== startMnt) {
      throw new UnsafeDeletionError(`target root ${target} is on another mount than its volume`);
    }
    return { fd, dev: fstatSync(fd).dev, mnt };
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
}

export type DirLookup = { fd: number } | { skip: SkipReason } | { error: string };

interface OpenDir {
  readonly fd: number;
  /** Operations in flight that name this descriptor in a /proc path: it is not closed while > 0. */
  refs: number;
}

/**
 * Directory descriptors of one run, keyed by path relative to the root ('' is the root, owned by the caller), least
 * recently used first. `acquire` hands out a descriptor that stays open until the matching `release`.
 */
export class DirectoryHandles {
  private readonly open = new Map<string, OpenDir>();

  constructor(
    private readonly root: RootHandle,
    private readonly maxOpen: number,
  ) {}

  acquire(dir: string): DirLookup {
    if (dir === '') return { fd: this.root.fd };
    const cached = this.open.get(dir);
    if (cached !== undefined) {
      this.open.delete(dir);
      this.open.set(dir, cached);
      cached.refs++;
      return { fd: cached.fd };
    }
    // Start from the deepest ancestor already open.
    let base = '';
    let baseFd = this.root.fd;
    for (let cut = dir.lastIndexOf('/'); cut > 0; cut = dir.lastIndexOf('/', cut - 1)) {
      const ancestor = this.open.get(dir.slice(0, cut));
      if (ancestor !== undefined) {
        base = dir.slice(0, cut);
        baseFd = ancestor.fd;
        break;
      }
    }
    const rest = (base === '' ? dir : dir.slice(base.length + 1)).split('/');
    let current = base;
    let opened: OpenDir | undefined;
    let result: DirLookup | undefined;
    for (const name of rest) {
      const child = this.openChild(opened?.fd ?? baseFd, name);
      if (!('fd' in child)) {
        result = child;
        break;
      }
      current = current === '' ? name : `${current}/${name}`;
      opened = { fd: child.fd, refs: 0 };
      this.open.set(current, opened);
      // A deep path (thousands of levels) must not hold a descriptor per level: the one just opened is the most
      // recently used, and its child is opened from it alone, so the ancestors may go.
      this.evict();
    }
    if (result === undefined && opened !== undefined) {
      opened.refs++;
      result = { fd: opened.fd };
    }
    this.evict();
    return result ?? { error: `cannot open directory "${dir}"` };
  }

  release(dir: string): void {
    if (dir === '') return;
    const handle = this.open.get(dir);
    if (handle !== undefined && handle.refs > 0) handle.refs--;
  }

  /** Closes and forgets the descriptor of `dir` (after it was removed; nothing is in flight then). */
  forget(dir: string): void {
    const handle = this.open.get(dir);
    if (handle === undefined || handle.refs > 0) return;
    this.open.delete(dir);
    closeQuietly(handle.fd);
  }

  closeAll(): void {
    for (const handle of this.open.values()) closeQuietly(handle.fd);
    this.open.clear();
  }

  private openChild(parentFd: number, name: string): DirLookup {
    let fd: number;
    try {
      fd = openSync(fdPath(parentFd, name), DIR_FLAGS);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return { skip: 'vanished' };
      if (code === 'ELOOP') return { skip: 'symlink in path' };
      if (code === 'ENOTDIR') {
        let stats: Stats | undefined;
        try {
          stats = lstatSync(fdPath(parentFd, name), { throwIfNoEntry: false });
        } catch {
          stats = undefined;
        }
        return { skip: stats?.isSymbolicLink() ? 'symlink in path' : stats ? 'changed since planned' : 'vanished' };
      }
      return { error: `cannot open directory "${name}": ${errorMessage(error)}` };
    }
    try {
      const mnt = mountId(fd);
      if (mnt === undefined) return this.reject(fd, { error: `cannot read the mount of directory "${name}"` });
      if (mnt !== this.root.mnt || fstatSync(fd).dev !== this.root.dev) return this.reject(fd, { skip: 'other mount' });
    } catch (error) {
      return this.reject(fd, { error: `cannot check directory "${name}": ${errorMessage(error)}` });
    }
    return { fd };
  }

  private reject(fd: number, result: DirLookup): DirLookup {
    closeQuietly(fd);
    return result;
  }

  /** Closes least recently used descriptors beyond maxOpen, never one still in use. */
  private evict(): void {
    if (this.open.size <= this.maxOpen) return;
    for (const [dir, handle] of this.open) {
      if (this.open.size <= this.maxOpen) break;
      if (handle.refs > 0) continue;
      this.open.delete(dir);
      closeQuietly(handle.fd);
    }
  }
}
