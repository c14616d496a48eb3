import { mkdirSync, writeFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { countsSubdirectoryLinks, DirectoryWatchAdapter } from '../src/adapters/watching/directory-watch.adapter.js';
import type { WatchEvent, WatchSubscription } from '../src/measuring/watch.port.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * The directory adapter watches a tree without listing the directories that have no subdirectory (their link count
 * says so on tmpfs and ext4): a camera tree of hour directories is watched without reading each of its files a second
 * time. On a real tmpfs, with the listings counted where the adapter makes them.
 */

class CountingAdapter extends DirectoryWatchAdapter {
  readonly listed: string[] = [];

  protected override listDirectory(dir: string | Buffer): Dirent[] {
    this.listed.push(String(dir));
    return super.listDirectory(dir);
  }
}

let fs: ReturnType<typeof mountTmpfs>;
let root: string;
let subscription: WatchSubscription | undefined;
let events: WatchEvent[];
let waiters: Array<{ path: string; resolve: () => void }>;

beforeEach(() => {
  fs = mountTmpfs('watch-leaves', 64 * 1024 * 1024, 20_000);
  root = path.join(fs.mount, 'rec');
  events = [];
  waiters = [];
});

afterEach(async () => {
  await subscription?.close();
  subscription = undefined;
  fs.unmount();
});

function subscribe(adapter: DirectoryWatchAdapter): Promise<WatchSubscription> {
  return adapter.watch(root, 'native', {
    onEvents: (batch) => {
      events.push(...batch);
      for (const waiter of [...waiters]) {
        if (batch.some((e) => e.path === waiter.path)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    onError: (error) => {
      throw error;
    },
  });
}

function eventFor(file: string): Promise<void> {
  if (events.some((e) => e.path === file)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const waiter = { path: file, resolve };
    waiters.push(waiter);
    setTimeout(() => {
      if (waiters.includes(waiter)) reject(new Error(`no event for ${file} within 10 s; got ${JSON.stringify(events)}`));
    }, 10_000).unref();
  });
}

/** A camera tree: root → 3 days → 8 hours each (leaves of 50 segments), and one day holding a file beside its hours. */
function cameraTree(): { directories: number; withSubdirectories: string[] } {
  const withSubdirectories = [root];
  for (let day = 0; day < 3; day++) {
    const dayDir = path.join(root, `2026-12-0${day + 1}`);
    withSubdirectories.push(dayDir);
    for (let hour = 0; hour < 8; hour++) {
      const hourDir = path.join(dayDir, String(hour).padStart(2, '0'));
      mkdirSync(hourDir, { recursive: true });
      for (let i = 0; i < 50; i++) writeFileSync(path.join(hourDir, `seg-${i}.mp4`), 'x');
    }
  }
  writeFileSync(path.join(root, '2026-12-01', 'index.txt'), 'x');
  return { directories: 1 + 3 + 3 * 8, withSubdirectories };
}

describe('directory watch on a filesystem that counts subdirectory links', () => {
  it('watches every directory but lists only those with subdirectories', async () => {
    const { directories, withSubdirectories } = cameraTree();
    const adapter = new CountingAdapter();
    subscription = await subscribe(adapter);
    expect(subscription.coverage?.().directoriesWatched).toBe(directories);
    expect(adapter.listed.sort()).toEqual(withSubdirectories.sort());
    // Every hour directory is watched all the same: a segment written into any of them is reported by name.
    for (const hour of ['2026-12-01/00', '2026-12-02/07', '2026-12-03/03']) {
      const segment = path.join(root, hour, 'seg-new.mp4');
      writeFileSync(segment, 'y');
      await eventFor(segment);
    }
  });

  it('watches a subdirectory made in a leaf right after the watch began, and what is then written in it', async () => {
    cameraTree();
    subscription = await subscribe(new CountingAdapter());
    const fresh = path.join(root, '2026-12-03', '07', 'late');
    mkdirSync(fresh);
    await eventFor(fresh);
    const segment = path.join(fresh, 'seg-0.mp4');
    writeFileSync(segment, 'z');
    await eventFor(segment);
    expect(subscription.coverage?.().directoriesWatched).toBe(1 + 3 + 3 * 8 + 1);
  });

  it('trusts the link count only on filesystems that keep it so', () => {
    // ext4, tmpfs, xfs, f2fs: 2 + subdirectories.
    for (const type of [0xef53, 0x01021994, 0x58465342, 0xf2f52010]) expect(countsSubdirectoryLinks(type)).toBe(true);
    // btrfs and overlayfs (1 for every directory), NFS, FUSE, CIFS: listed always.
    for (const type of [0x9123683e, 0x794c7630, 0x6969, 0x65735546, 0xff534d42]) expect(countsSubdirectoryLinks(type)).toBe(false);
  });
});
