import { noFiles, ScanPacker, usageOf, type DirectoryEntry, type PathStat, type ScanOutput, type TreeUsage } from '../../src/measuring/scan-output.js';
import { TreeReader } from '../../src/measuring/tree-reader.port.js';
import type { FakeDisk } from './fake-disk.js';

/** The measuring engine's reads, answered from a FakeDisk. Counts full scans (a sweep's rescan is one). */
export class FakeTreeReader extends TreeReader {
  /** Roots of the full scans made so far, in order. */
  readonly scans: string[] = [];
  private gate: Promise<void> | undefined;

  constructor(private readonly disk: FakeDisk) {
    super();
  }

  async scan(root: string, relative = '', onProgress?: (files: number) => void): Promise<ScanOutput> {
    this.scans.push(root);
    if (this.gate) await this.gate;
    const output = this.scanNow(root, relative);
    onProgress?.(output.files.count);
    return output;
  }

  /** Full scans wait (as long ones do) until the returned function is called; they then read the disk as it is. */
  holdScans(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  scanNow(root: string, relative: string): ScanOutput {
    const rootStat = this.disk.stat(root);
    if (!rootStat?.isDirectory()) {
      return { rootExists: false, rootDev: 0, rootIno: 0, dirs: [], files: noFiles(), directories: 0, errors: 0, durationMs: 0 };
    }
    const dirs: string[] = [];
    const packer = new ScanPacker();
    const walk = (dir: string): void => {
      const entries = this.disk.list(dir === '' ? root : `${root}/${dir}`);
      if (!entries) return;
      const index = dirs.push(dir) - 1;
      for (const entry of entries) {
        const child = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          walk(child);
        } else if (entry.isFile()) {
          const s = this.disk.stat(`${root}/${child}`)!;
          packer.add(index, entry.name, s);
        }
      }
    };
    walk(relative);
    return {
      rootExists: true,
      rootDev: rootStat.dev,
      rootIno: rootStat.ino,
      dirs,
      files: packer.pack(),
      directories: dirs.length,
      errors: 0,
      durationMs: 0,
    };
  }

  async usage(root: string): Promise<TreeUsage> {
    return usageOf(this.scanNow(root, ''));
  }

  statPath(root: string, relative = ''): PathStat | undefined {
    return this.disk.stat(relative === '' ? root : `${root}/${relative}`);
  }

  listDirectory(root: string, relative = ''): DirectoryEntry[] | undefined {
    return this.disk.list(relative === '' ? root : `${root}/${relative}`);
  }
}
