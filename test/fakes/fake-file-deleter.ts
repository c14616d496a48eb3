import { FileDeleter, type DeletionOptions, type DeletionReport } from '../../src/cleanup/file-deleter.port.js';
import type { FileEntry } from '../../src/measuring/file-entry.js';
import type { FakeDisk } from './fake-disk.js';
import { Holds, type Hold } from './holds.js';

/**
 * Deletes planned files from a FakeDisk, with the port's contract where cleanup relies on it: plan order, `limit`
 * and `shouldStop`, a file that vanished or changed since it was planned is skipped and left alone. A spec can make
 * it refuse a whole run (as the safe deleter refuses an unsafe root), fail single files, or hold a run open.
 */
export class FakeFileDeleter extends FileDeleter {
  /** Every call, in order: the target root and the planned paths. */
  readonly runs: Array<{ readonly root: string; readonly paths: string[]; readonly options: DeletionOptions }> = [];
  /** When set, every call throws it before deleting anything. */
  refuseWith: Error | undefined;
  /** Absolute paths whose deletion fails (reported as errors, the file stays). */
  readonly failing = new Set<string>();
  private readonly holds = new Holds();

  constructor(private readonly disk: FakeDisk) {
    super();
  }

  /**
   * The next call waits before deleting until `release()`; `reached` resolves once it is waiting, so a spec can
   * act while a cleanup run is in the middle of deleting.
   */
  hold(): Hold {
    return this.holds.hold();
  }

  async deleteFiles(root: string, entries: readonly FileEntry[], options: DeletionOptions): Promise<DeletionReport> {
    this.runs.push({ root, paths: entries.map((e) => e.path), options });
    if (this.refuseWith) throw this.refuseWith;
    await this.holds.pass();
    const report: DeletionReport = { deleted: [], skipped: [], bytes: 0, dirsRemoved: 0, errors: [], processed: 0 };
    for (const entry of entries) {
      if (options.limit !== undefined && report.deleted.length >= options.limit) break;
      if (options.shouldStop?.()) break;
      report.processed++;
      const absolute = `${root}/${entry.path}`;
      const now = this.disk.stat(absolute);
      if (!now?.isFile()) {
        report.skipped.push({ path: entry.path, reason: now ? 'not a regular file' : 'vanished' });
      } else if (now.ino !== entry.ino || now.size !== entry.size || now.mtimeMs !== entry.mtimeMs) {
        report.skipped.push({ path: entry.path, reason: 'changed since planned' });
      } else if (this.failing.has(absolute)) {
        report.errors.push({ path: entry.path, message: `EACCES: permission denied, unlink '${absolute}'` });
      } else {
        this.disk.remove(absolute);
        report.deleted.push({ path: entry.path, size: now.size });
        report.bytes += now.size;
      }
    }
    return report;
  }
}
