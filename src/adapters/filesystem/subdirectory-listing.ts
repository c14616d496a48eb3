import { promises as fs, type BigIntStats } from 'node:fs';

/**
 * How long after a directory's last change a listing of it is not kept. Timestamps are coarse: a change in the
 * same timer tick as the one before (or the same second, on filesystems that keep whole seconds) can leave mtime
 * and ctime as they were. A listing taken within this of the last change may miss such a change and is used
 * for its own call only; once the directory has been quiet this long, any later change gets a later timestamp.
 */
export const RACY_NS = 1_000_000_000n;

/** One state of a directory: which directory (dev, ino) and its last change of entries or inode (mtime, ctime). */
interface DirectoryStamp {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/**
 * The listings of a few directories (the standalone volumes directory), each kept while one stat of the directory
 * says it is as it was. Adding, removing or renaming an entry changes the directory's mtime and ctime; another
 * directory in its place (renamed there, mounted over it, a symlink pointing elsewhere) has another dev or ino.
 * The stamp is stat, not lstat: a directory given through a symlink is listed through it, so its changes are the
 * target's. A listing taken less than RACY_NS after the directory's last change is not kept (the reasoning of
 * git's racy index), so no change is missed for longer than one call.
 *
 * What the stamp does not see is inside the entries: a filesystem mounted on a subdirectory keeps it a directory
 * of the same name, but its creation time in a kept listing is the one underneath until the directory changes.
 */
export class SubdirectoryListing<T> {
  private readonly kept = new Map<string, { readonly stamp: DirectoryStamp; readonly entries: readonly T[] }>();

  /**
   * `read` lists a directory for real. `now` is the wall clock in ns: the kernel stamps changes with it, so a
   * service's own (possibly fixed) clock must not stand in for it.
   */
  constructor(
    private readonly read: (dir: string) => Promise<readonly T[]>,
    private readonly now: () => bigint = () => BigInt(Date.now()) * 1_000_000n,
  ) {}

  async list(dir: string): Promise<T[]> {
    // Taken before the stat: a change after this instant is stamped after it too (but for the tick it falls in).
    const listedAt = this.now();
    const stamp = await stampOf(dir);
    const held = this.kept.get(dir);
    if (stamp && held && sameStamp(held.stamp, stamp)) return [...held.entries];
    const entries = await this.read(dir);
    if (stamp && listedAt - lastChange(stamp) >= RACY_NS) this.kept.set(dir, { stamp, entries });
    else this.kept.delete(dir);
    return [...entries];
  }
}

function lastChange(stamp: DirectoryStamp): bigint {
  return stamp.mtimeNs > stamp.ctimeNs ? stamp.mtimeNs : stamp.ctimeNs;
}

/** The directory's stamp, or undefined when it cannot be had (missing, not a directory, no access): not kept then. */
async function stampOf(dir: string): Promise<DirectoryStamp | undefined> {
  let stats: BigIntStats;
  try {
    stats = await fs.stat(dir, { bigint: true });
  } catch {
    // The listing itself says what is wrong (or that a missing directory has no subdirectories).
    return undefined;
  }
  return stats.isDirectory() ? { dev: stats.dev, ino: stats.ino, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs } : undefined;
}

function sameStamp(a: DirectoryStamp, b: DirectoryStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
