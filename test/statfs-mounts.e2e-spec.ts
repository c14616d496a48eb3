import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { StatfsAdapter } from '../src/adapters/statfs/statfs.adapter.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * The mount a path is on, from the kernel's mount table. One discovery pass identifies every volume root, so a table
 * read a moment ago is used again — but never for a filesystem mounted since: on real mounts.
 */
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe('filesystem identity', () => {
  it('sees a filesystem mounted right after the table was read, and the one a path is on', async () => {
    const adapter = new StatfsAdapter();
    const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'sm-mounts-')));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const onDisk = await adapter.identify(base);
    expect(onDisk?.mountPoint).not.toBe(base);

    // Mounted after that reading, a moment later: its own mount point and type, not the disk's.
    const fs = mountTmpfs('mounts', 1024 * 1024);
    cleanups.push(() => fs.unmount());
    const volume = path.join(fs.mount, 'vol');
    mkdirSync(volume);
    const onTmpfs = await adapter.identify(volume);
    expect(onTmpfs).toMatchObject({ mountPoint: fs.mount, fsType: 'tmpfs' });
    // And the disk's path is still the disk's.
    expect(await adapter.identify(base)).toEqual(onDisk);
  });
});
