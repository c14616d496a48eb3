import { TargetPaths } from '../../src/registration/target-paths.port.js';

/** A filesystem with no symlinks: every path resolves to itself; `files` lists paths that are not directories. */
export class FakeFileSystem extends TargetPaths {
  readonly files = new Set<string>();

  async resolveExisting(target: string): Promise<string> {
    return target;
  }

  async isNonDirectory(target: string): Promise<boolean> {
    return this.files.has(target);
  }
}
