import path from 'node:path';
import type { Clock } from '../../src/common/clock.js';
import type { DirectoryEntry, PathStat } from '../../src/measuring/scan-output.js';
import type { WatchEvent } from '../../src/measuring/watch.port.js';

/** A file as a spec writes it. */
export interface FakeFileOptions {
  /** st_size in bytes (default 100). */
  readonly size?: number;
  /** How long before the clock's now the file was last modified (mtime and ctime), in ms (default one hour). */
  readonly ageMs?: number;
}

interface FakeNode {
  readonly kind: 'file' | 'dir';
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

export const FAKE_DEV = 42;

class FakeStat implements PathStat {
  readonly dev = FAKE_DEV;
  readonly nlink = 1;
  readonly blocks: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;

  constructor(private readonly node: FakeNode) {
    this.size = node.size;
    this.blocks = Math.ceil(node.size / 4096) * 8;
    this.mtimeMs = node.mtimeMs;
    this.ctimeMs = node.ctimeMs;
    this.ino = node.ino;
  }

  isFile(): boolean {
    return this.node.kind === 'file';
  }

  isDirectory(): boolean {
    return this.node.kind === 'dir';
  }
}

/**
 * A filesystem in memory, on the spec's clock: absolute '/'-separated paths, regular files and directories, one
 * device, no links. Changes are reported to watchers (see FakeWatchPort) the way the kernel would, unless made
 * inside `unnoticed()` (a lost event). The fake tree reader measures it and the fake deleter deletes from it.
 */
export class FakeDisk {
  private readonly nodes = new Map<string, FakeNode>([['/', { kind: 'dir', ino: 1, size: 4096, mtimeMs: 0, ctimeMs: 0 }]]);
  private readonly listeners = new Set<(event: WatchEvent) => void>();
  private nextIno = 2;
  private silent = 0;

  constructor(private readonly clock: Clock) {}

  /** Writes a file (creating its directories). An existing file keeps its inode, as a rewrite in place would. */
  write(file: string, options: FakeFileOptions = {}): void {
    const absolute = normal(file);
    const existing = this.nodes.get(absolute);
    if (existing?.kind === 'dir') throw new Error(`${absolute} is a directory`);
    this.mkdir(path.posix.dirname(absolute));
    const mtimeMs = this.clock.now().getTime() - (options.ageMs ?? 3_600_000);
    this.nodes.set(absolute, { kind: 'file', ino: existing?.ino ?? this.nextIno++, size: options.size ?? 100, mtimeMs, ctimeMs: mtimeMs });
    this.notify({ kind: existing ? 'update' : 'create', path: absolute });
  }

  /** Creates a directory and any missing parents. */
  mkdir(dir: string): void {
    const absolute = normal(dir);
    if (this.nodes.get(absolute)?.kind === 'dir') return;
    if (this.nodes.has(absolute)) throw new Error(`${absolute} is a file`);
    this.mkdir(path.posix.dirname(absolute));
    this.nodes.set(absolute, { kind: 'dir', ino: this.nextIno++, size: 4096, mtimeMs: this.clock.now().getTime(), ctimeMs: this.clock.now().getTime() });
    this.notify({ kind: 'create', path: absolute });
  }

  /** Removes a file, or a directory with everything below it. Returns whether anything was there. */
  remove(target: string): boolean {
    const absolute = normal(target);
    if (!this.nodes.has(absolute) || absolute === '/') return false;
    for (const name of [...this.nodes.keys()]) {
      if (name.startsWith(`${absolute}/`)) this.nodes.delete(name);
    }
    this.nodes.delete(absolute);
    this.notify({ kind: 'delete', path: absolute });
    return true;
  }

  /** Runs `change` without telling any watcher: the events a real watcher can lose. */
  unnoticed<T>(change: () => T): T {
    this.silent++;
    try {
      return change();
    } finally {
      this.silent--;
    }
  }

  stat(target: string): PathStat | undefined {
    const node = this.nodes.get(normal(target));
    return node ? new FakeStat(node) : undefined;
  }

  list(dir: string): DirectoryEntry[] | undefined {
    const absolute = normal(dir);
    if (this.nodes.get(absolute)?.kind !== 'dir') return undefined;
    const prefix = absolute === '/' ? '/' : `${absolute}/`;
    const entries: DirectoryEntry[] = [];
    for (const [name, node] of this.nodes) {
      if (name === absolute || !name.startsWith(prefix) || name.slice(prefix.length).includes('/')) continue;
      entries.push({ name: name.slice(prefix.length), isFile: () => node.kind === 'file', isDirectory: () => node.kind === 'dir' });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The files below `dir`, relative to it, sorted: what `find dir -type f` would list. */
  files(dir: string): string[] {
    const prefix = `${normal(dir)}/`;
    return [...this.nodes.entries()]
      .filter(([name, node]) => node.kind === 'file' && name.startsWith(prefix))
      .map(([name]) => name.slice(prefix.length))
      .sort();
  }

  /** Hears every change made outside `unnoticed()` from now on. Returns the unsubscribe function. */
  onChange(listener: (event: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(event: WatchEvent): void {
    if (this.silent > 0) return;
    for (const listener of [...this.listeners]) listener(event);
  }
}

function normal(target: string): string {
  if (!path.posix.isAbsolute(target)) throw new Error(`fake disk paths are absolute: ${target}`);
  return path.posix.resolve(target);
}
