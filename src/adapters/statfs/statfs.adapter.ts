import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { FilesystemStats, type FilesystemIdentity, type FilesystemUsage } from '../../tiers/filesystem-stats.port.js';
import { isCode } from '../filesystem/errno.js';

interface MountEntry {
  readonly mountPoint: string;
  readonly device: number;
  readonly fsType: string;
}

/**
 * A mount table read this recently answers for a path whose own mount it lists (its device, above the path): one
 * discovery pass identifies every volume root, and reading /proc/self/mountinfo for each of 1,000 was half a second
 * of the event loop at start-up. A path on a filesystem mounted since (a device the table does not have above it)
 * makes it read again.
 */
const MOUNTS_FRESH_MS = 2000;

/** Filesystem figures through statfs(2), and the mount a path is on from /proc/self/mountinfo. */
@Injectable()
export class StatfsAdapter extends FilesystemStats {
  private mounts: { readAt: number; entries: Promise<MountEntry[]> } | undefined;

  async usage(target: string): Promise<FilesystemUsage> {
    const s = await fs.statfs(target);
    const totalBytes = s.blocks * s.bsize;
    const freeBytes = s.bfree * s.bsize;
    return {
      totalBytes,
      availableBytes: s.bavail * s.bsize,
      usedBytes: totalBytes - freeBytes,
      totalInodes: s.files,
      freeInodes: s.ffree,
    };
  }

  async identify(target: string): Promise<FilesystemIdentity | undefined> {
    let real: string;
    let device: number;
    try {
      real = await fs.realpath(target);
      device = (await fs.stat(real)).dev;
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EACCES')) return undefined;
      throw error;
    }
    const mounts = await this.mountsFor(real, device);
    // The deepest mount above the path that is the path's own device (a bind mount or an overmount above it
    // would name another device); without /proc, the path's device alone.
    const above = mounts.filter((m) => isWithin(real, m.mountPoint)).sort((a, b) => b.mountPoint.length - a.mountPoint.length);
    const mount = above.find((m) => m.device === device) ?? above[0];
    return { mountPoint: mount?.mountPoint ?? real, device, fsType: mount?.fsType ?? 'unknown' };
  }

  /** The mount table: the one read within MOUNTS_FRESH_MS when it lists the path's own mount, else read now. */
  private async mountsFor(real: string, device: number): Promise<MountEntry[]> {
    const held = this.mounts;
    if (held && performance.now() - held.readAt < MOUNTS_FRESH_MS) {
      const entries = await held.entries;
      if (entries.some((m) => m.device === device && isWithin(real, m.mountPoint))) return entries;
    }
    const entries = readMounts();
    this.mounts = { readAt: performance.now(), entries };
    return entries;
  }
}

async function readMounts(): Promise<MountEntry[]> {
  let text: string;
  try {
    text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    // id parent major:minor root mount-point options [optional fields] - fstype source super-options
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (fields.length < 5 || separator < 0) return [];
    const [major, minor] = fields[2]!.split(':').map(Number);
    if (major === undefined || minor === undefined) return [];
    return [{ mountPoint: unescape(fields[4]!), device: encodeDevice(major, minor), fsType: fields[separator + 1] ?? 'unknown' }];
  });
}

/** The kernel's st_dev encoding of major:minor (new_encode_dev). */
function encodeDevice(major: number, minor: number): number {
  return (minor & 0xff) + major * 256 + (minor & ~0xff) * 4096;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function isWithin(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
