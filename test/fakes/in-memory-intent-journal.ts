import { IntentJournal, type FileIdentity, type IntendedFile, type IntentHeader, type OpenIntent } from '../../src/cleanup/intent-journal.port.js';
import type { FakeDisk } from './fake-disk.js';

/** Intents in memory; the disk they are reconciled against is the fake disk (a path is there or not). */
export class InMemoryIntentJournal extends IntentJournal {
  readonly intents = new Map<string, { header: IntentHeader; files: IntendedFile[] }>();
  /** Runs whose intent was closed, in order. */
  readonly closed: string[] = [];

  constructor(private readonly disk?: FakeDisk) {
    super();
  }

  async open(header: IntentHeader): Promise<void> {
    this.intents.set(header.run, { header, files: [] });
  }

  async append(run: string, files: readonly IntendedFile[]): Promise<void> {
    this.intents.get(run)?.files.push(...files);
  }

  close(run: string): void {
    if (this.intents.delete(run)) this.closed.push(run);
  }

  async leftovers(): Promise<OpenIntent[]> {
    return [...this.intents.values()];
  }

  async identify(root: string, path: string): Promise<FileIdentity> {
    const entry = this.disk?.stat(`${root}/${path}`);
    return entry ? { dev: entry.dev, ino: entry.ino } : 'absent';
  }
}
