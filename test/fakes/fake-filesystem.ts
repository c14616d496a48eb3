import { TargetPaths } from '../../src/registration/target-paths.port.js';

/**
 * A filesystem with no symlinks: every path resolves to itself; `files` lists paths that are not directories;
 * `aliases` maps a path to another path of the same directory (a bind mount seen twice).
 */
export class FakeFileSystem extends TargetPaths {
  readonly files = new Set<string>();
  readonly aliases = new Map<string, string>();

  async resolveExisting(target: string): Promise<string> {
    return target;
  }

  async isNonDirectory(target: string): Promise<boolean> {
    return this.files.has(target);
  }

  async isSameDirectory(candidates: readonly string[], dir: string): Promise<boolean> {
    const identity = (p: string): string => this.aliases.get(p) ?? p;
    return candidates.some((candidate) => identity(candidate) === identity(dir));
  }
}
