import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mountRamfs, mountTmpfs } from '../../../test/support/tmpfs.js';
import { NodeFileSystem } from './node-filesystem.adapter.js';
import { RACY_NS, SubdirectoryListing } from './subdirectory-listing.js';

const wallClockNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** A listing over the adapter's real read of a directory, counting those reads; `now` as in SubdirectoryListing. */
function countedListing(now: () => bigint = wallClockNs): { listing: SubdirectoryListing<{ name: string }>; reads: () => number } {
  const real = new NodeFileSystem();
  let reads = 0;
  const listing = new SubdirectoryListing((dir) => {
    reads++;
    return real.readSubdirectories(dir);
  }, now);
  return { listing, reads: () => reads };
}

/** A listing's clock two seconds ahead: the directory's last change (its ctime: see quietDir) is older than RACY_NS to it. */
const aheadClock = (): bigint => wallClockNs() + 2n * RACY_NS;

async function names(listed: Promise<Array<{ name: string }>>): Promise<string[]> {
  return (await listed).map((entry) => entry.name).sort();
}

describe('SubdirectoryListing on a tmpfs', () => {
  let tmpfs: ReturnType<typeof mountTmpfs>;
  let serial = 0;

  /**
   * A fresh directory holding `subdirectories`, as if it had not changed for a day: its mtime set back, so that a
   * change of its entries gets a new mtime on any filesystem, however coarse its timestamps (utimes sets its ctime
   * to now: the listings of these specs run on aheadClock).
   */
  async function quietDir(...subdirectories: string[]): Promise<string> {
    const dir = path.join(tmpfs.mount, `volumes-${serial++}`);
    for (const name of ['', ...subdirectories]) await fs.mkdir(path.join(dir, name));
    const dayAgo = new Date(Date.now() - 86_400_000);
    await fs.utimes(dir, dayAgo, dayAgo);
    return dir;
  }

  beforeAll(() => {
    tmpfs = mountTmpfs('subdirectory-listing', 4 * 1024 * 1024);
  });
  afterAll(() => tmpfs.unmount());

  it('reads an unchanged directory once, however often it is listed', async () => {
    const dir = await quietDir('cams', 'logs');
    const { listing, reads } = countedListing(aheadClock);

    for (let i = 0; i < 5; i++) expect(await names(listing.list(dir))).toEqual(['cams', 'logs']);
    // What a subdirectory holds is not the listing's: a file written in one changes nothing.
    await fs.writeFile(path.join(dir, 'cams', 'clip.mp4'), 'x');
    expect(await names(listing.list(dir))).toEqual(['cams', 'logs']);

    expect(reads()).toBe(1);
  });

  it.each([
    ['created', (dir: string) => fs.mkdir(path.join(dir, 'c')), ['a', 'b', 'c']],
    ['removed', (dir: string) => fs.rmdir(path.join(dir, 'a')), ['b']],
    ['renamed', (dir: string) => fs.rename(path.join(dir, 'b'), path.join(dir, 'b2')), ['a', 'b2']],
    ['replaced by a file', async (dir: string) => (await fs.rmdir(path.join(dir, 'b')), fs.writeFile(path.join(dir, 'b'), 'x')), ['a']],
  ])('sees a subdirectory %s right after a kept listing, on the next call', async (_change, change, expected) => {
    const dir = await quietDir('a', 'b');
    const { listing, reads } = countedListing(aheadClock);
    expect(await names(listing.list(dir))).toEqual(['a', 'b']);
    expect(await names(listing.list(dir))).toEqual(['a', 'b']);
    expect(reads()).toBe(1);

    await change(dir);

    expect(await names(listing.list(dir))).toEqual(expected);
    expect(reads()).toBe(2);
  });

  it('lists a directory reached through a symlink by its target, and follows the symlink to another', async () => {
    const first = await quietDir('one');
    const second = await quietDir('two');
    const link = path.join(tmpfs.mount, `link-${serial++}`);
    await fs.symlink(first, link);
    const { listing, reads } = countedListing(aheadClock);
    expect(await names(listing.list(link))).toEqual(['one']);
    expect(await names(listing.list(link))).toEqual(['one']);
    expect(reads()).toBe(1);

    // The symlink itself never changes: its target's changes are what counts.
    await fs.mkdir(path.join(first, 'three'));
    expect(await names(listing.list(link))).toEqual(['one', 'three']);
    await fs.unlink(link);
    await fs.symlink(second, link);
    expect(await names(listing.list(link))).toEqual(['two']);
  });

  it('lists a missing directory as empty every time, and what is created there next', async () => {
    const dir = await quietDir('a');
    const { listing } = countedListing(aheadClock);
    expect(await names(listing.list(dir))).toEqual(['a']);

    await fs.rm(dir, { recursive: true });
    expect(await names(listing.list(dir))).toEqual([]);
    await fs.mkdir(path.join(dir, 'back'), { recursive: true });
    expect(await names(listing.list(dir))).toEqual(['back']);
  });

  it('reads again a listing taken within RACY_NS of the last change, and keeps one taken later', async () => {
    const dir = await quietDir('a');
    let ahead = 0n;
    const { listing, reads } = countedListing(() => wallClockNs() + ahead);

    // utimes has just changed its ctime: these listings are racy.
    await listing.list(dir);
    await listing.list(dir);
    expect(reads()).toBe(2);

    ahead = 2n * RACY_NS;
    await listing.list(dir);
    await listing.list(dir);
    expect(reads()).toBe(3);
  });

  it('is how the adapter lists a directory', async () => {
    const dir = await quietDir('cams');
    const adapter = new NodeFileSystem();
    expect(await names(adapter.listSubdirectories(dir))).toEqual(['cams']);
    await fs.mkdir(path.join(dir, 'logs'));
    expect(await names(adapter.listSubdirectories(dir))).toEqual(['cams', 'logs']);
  });
});

describe('SubdirectoryListing on a ramfs (coarse timestamps)', () => {
  let ramfs: ReturnType<typeof mountRamfs>;
  beforeAll(() => {
    ramfs = mountRamfs('subdirectory-listing-coarse');
  });
  afterAll(() => ramfs.unmount());

  it('sees a subdirectory created in the same tick as the listing before, which leaves the directory stamped as it was', async () => {
    const { listing, reads } = countedListing();
    let sameTick = 0;
    const attempts = 20;
    for (let i = 0; i < attempts; i++) {
      const dir = path.join(ramfs.mount, `volumes-${i}`);
      await fs.mkdir(path.join(dir, 'a'), { recursive: true });
      expect(await names(listing.list(dir))).toEqual(['a']);
      const before = await fs.stat(dir, { bigint: true });

      await fs.mkdir(path.join(dir, 'b'));
      const after = await fs.stat(dir, { bigint: true });
      if (after.mtimeNs === before.mtimeNs && after.ctimeNs === before.ctimeNs) sameTick++;

      expect(await names(listing.list(dir))).toEqual(['a', 'b']);
    }
    // The case this is about did happen (a tick is milliseconds; two mkdirs take microseconds).
    expect(sameTick).toBeGreaterThan(0);
    expect(reads()).toBe(2 * attempts);
  });

  it('lists another directory renamed into its place, stamped as the listed one was but for its inode', async () => {
    const { listing } = countedListing(aheadClock);
    let sameButInode = 0;
    const attempts = 20;
    for (let i = 0; i < attempts; i++) {
      const dir = path.join(ramfs.mount, `listed-${i}`);
      const other = path.join(ramfs.mount, `other-${i}`);
      await fs.mkdir(path.join(dir, 'one'), { recursive: true });
      await fs.mkdir(path.join(other, 'two'), { recursive: true });
      const dayAgo = new Date(Date.now() - 86_400_000);
      await fs.utimes(dir, dayAgo, dayAgo);
      await fs.utimes(other, dayAgo, dayAgo);
      expect(await names(listing.list(dir))).toEqual(['one']);
      const listed = await fs.stat(dir, { bigint: true });

      await fs.rename(dir, path.join(ramfs.mount, `moved-${i}`));
      await fs.rename(other, dir);
      const now = await fs.stat(dir, { bigint: true });
      if (now.mtimeNs === listed.mtimeNs && now.ctimeNs === listed.ctimeNs) sameButInode++;

      expect(await names(listing.list(dir))).toEqual(['two']);
    }
    expect(sameButInode).toBeGreaterThan(0);
  });
});
