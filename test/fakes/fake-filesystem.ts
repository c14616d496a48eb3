import type { FileSystemAdapter } from '../../src/filesystem/filesystem.adapter.js';

/** A filesystem with no symlinks: every path resolves to itself. */
export class FakeFileSystem {
  asAdapter(): FileSystemAdapter {
    return this as unknown as FileSystemAdapter;
  }

  async resolveExisting(target: string): Promise<string> {
    return target;
  }
}
