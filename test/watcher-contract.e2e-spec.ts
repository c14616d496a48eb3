import { appendFileSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ChokidarWatchAdapter } from '../src/adapters/watching/chokidar-watch.adapter.js';
import { DirectoryWatchAdapter } from '../src/adapters/watching/directory-watch.adapter.js';
import { ParcelWatchAdapter } from '../src/adapters/watching/parcel-watch.adapter.js';
import type { WatchEvent, WatchMode, WatchPort, WatchSubscription } from '../src/measuring/watch.port.js';

/** One contract, every adapter: what the measuring engine relies on, against a real filesystem. */
const ADAPTERS: Array<[string, () => WatchPort, WatchMode]> = [
  ['directories (native)', () => new DirectoryWatchAdapter(), 'native'],
  ['parcel (native)', () => new ParcelWatchAdapter(), 'native'],
  ['chokidar (native)', () => new ChokidarWatchAdapter(), 'native'],
  ['chokidar (poll)', () => new ChokidarWatchAdapter(), 'poll'],
];

describe.each(ADAPTERS)('watch adapter %s', (_name, make, mode) => {
  let root: string;
  let subscription: WatchSubscription | undefined;
  let events: WatchEvent[];
  let errors: Error[];
  let waiters: Array<{ test: (e: WatchEvent) => boolean; resolve: () => void }>;

  /** Resolves on the first event for `file` (or, with `orAncestor`, for a directory above it inside the root). */
  function waitFor(kind: WatchEvent['kind'] | 'any', file: string, orAncestor = false): Promise<void> {
    const test = (e: WatchEvent): boolean =>
      (e.path === file || (orAncestor && e.path.length > root.length && file.startsWith(`${e.path}/`))) && (kind === 'any' || e.kind === kind);
    if (events.some(test)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve };
      waiters.push(waiter);
      setTimeout(() => {
        if (waiters.includes(waiter)) reject(new Error(`no ${kind} event for ${file} within 10 s; got ${JSON.stringify(events)}`));
      }, 10_000).unref();
    });
  }

  beforeEach(async () => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'sm-watch-')));
    events = [];
    errors = [];
    waiters = [];
    subscription = await subscribe();
  });

  /** A new subscription to the root, recording into `events` and `errors` and resolving waiters. */
  function subscribe(): Promise<WatchSubscription> {
    return make().watch(root, mode, {
      onEvents: (batch) => {
        events.push(...batch);
        for (const waiter of [...waiters]) {
          if (batch.some(waiter.test)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      },
      onError: (error) => errors.push(error),
    });
  }

  afterEach(async () => {
    await subscription?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reports creation, change and deletion of a file', async () => {
    const file = path.join(root, 'a.log');
    writeFileSync(file, 'one');
    await waitFor('any', file);
    appendFileSync(file, 'two');
    await waitFor('update', file);
    unlinkSync(file);
    await waitFor('delete', file);
    expect(errors).toEqual([]);
  });

  it('reports a new directory tree, by its files or by the directory itself', async () => {
    // A native watcher may miss files created before it has added a watch on their fresh directory; then
    // the directory's own event is the hint the engine re-lists from. One of the two must arrive.
    const dir = path.join(root, 'day', 'hour');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'clip.mp4');
    writeFileSync(file, 'x');
    await waitFor('any', file, true);
    expect(events.every((e) => e.path.startsWith(root))).toBe(true);
  });

  it('reports files in a directory that existed before the watch started', async () => {
    await subscription!.close();
    mkdirSync(path.join(root, 'old', 'deep'), { recursive: true });
    subscription = await subscribe();
    const file = path.join(root, 'old', 'deep', 'x.bin');
    writeFileSync(file, 'x');
    await waitFor('any', file);
  });

  it('after a directory is moved, reports changes inside it under its new path, or says it cannot', async () => {
    mkdirSync(path.join(root, 'from', 'sub'), { recursive: true });
    await waitFor('any', path.join(root, 'from', 'sub'), true);
    renameSync(path.join(root, 'from'), path.join(root, 'to'));
    await waitFor('any', path.join(root, 'to'));
    const file = path.join(root, 'to', 'sub', 'after-move.bin');
    writeFileSync(file, 'x');
    if (subscription!.staleAfterDirectoryMove) {
      // The adapter says its events may be lost or come under the old path: the engine then closes the watch
      // and subscribes again, and the new subscription must report under the new path.
      await subscription!.close();
      events = [];
      subscription = await subscribe();
      appendFileSync(file, 'y');
    }
    await waitFor('any', file);
    expect(events.some((e) => e.path.startsWith(path.join(root, 'from', 'sub', '')))).toBe(false);
  });

  it('reports names that are bytes in the escape, or a lossily decoded one as a change of its directory', async () => {
    mkdirSync(path.join(root, 'cam'));
    await waitFor('any', path.join(root, 'cam'));
    // A backslash and a newline are valid UTF-8: every adapter reports them exactly, escaped.
    writeFileSync(path.join(root, 'cam', 'a\\b\nc'), 'x');
    await waitFor('any', `${root}/cam/a\\\\b\\x0ac`);
    // f<0xff>.mp4 is not UTF-8: the directory adapter gets the bytes; string-based ones name the directory.
    events = [];
    writeFileSync(Buffer.concat([Buffer.from(`${root}/cam/f`), Buffer.from([0xff]), Buffer.from('.mp4')]), 'x');
    const escaped = `${root}/cam/f\\xff.mp4`;
    if (_name.startsWith('directories')) await waitFor('any', escaped);
    else await waitFor('any', escaped, true);
    // No event ever carries a lossily decoded name or an unescaped control character.
    expect(events.filter((e) => /[\ufffd\n]/.test(e.path))).toEqual([]);
  });

  it('stops on close, and close is idempotent', async () => {
    await subscription!.close();
    await subscription!.close();
    const file = path.join(root, 'late.txt');
    writeFileSync(file, 'x');
    // A marker seen by a second subscription proves that events written after `late.txt` were delivered.
    let markerSeen!: () => void;
    const seen = new Promise<void>((resolve) => (markerSeen = resolve));
    const witness = await make().watch(root, mode, {
      onEvents: (batch) => batch.some((e) => e.path.endsWith('marker')) && markerSeen(),
      onError: () => undefined,
    });
    writeFileSync(path.join(root, 'marker'), 'x');
    await seen;
    await witness.close();
    expect(events.filter((e) => e.path === file)).toEqual([]);
  });
});
