import type { FileSystemAdapter } from '../../src/filesystem/filesystem.adapter.js';

/** A filesystem with no symlinks: every path resolves to itself; `files` lists paths that are not directories. */
export class FakeFileSystem {
  readonly files = new Set<string>();

  asAdapter(): FileSystemAdapter {
    return this as unknown as FileSystemAdapter;
  }

  async resolveExisting(target: string): Promise<string> {
    return target;
  }

  async isNonDirectory(target: string): Promise<boolean> {
    return this.files.has(target);
  }
}
