import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { EventLogRepository } from '../event-log/event-log.repository.js';
import type { DeletedFile, EventRecord } from '../event-log/event.types.js';
import type { FileEntry } from '../measuring/file-entry.js';
import { EVENTS_COMMITTED, StateStore } from '../state/state.store.js';
import { FIRST_PATHS } from './cleanup-report.js';
import { IntentJournal, type IntendedFile, type IntentHeader, type OpenIntent } from './intent-journal.port.js';

/** A run's handle on its intent. */
export interface RunIntent {
  readonly run: string;
  /** Durably adds files about to be deleted; resolves once they are synced. Never rejects (see intend()). */
  intend(files: readonly FileEntry[]): Promise<void>;
}

/** What reconciliation found and recorded. */
export interface ReconcileReport {
  readonly runs: number;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Every deletion on the record, even across a crash (SPEC §8). Before a batch is deleted its files are written
 * to the run's intent (synced); the run's outcome event (`cleanup.completed`, uid = the run) carries the deletion
 * records; once that event is committed the intent goes. At start-up an intent still there is reconciled
 * against the disk: what is gone of what it planned is recorded as `cleanup.interrupted`, with every file.
 */
@Injectable()
export class DeletionJournalService implements OnModuleInit {
  private readonly logger = new Logger(DeletionJournalService.name);
  private readonly open = new Set<string>();
  /** Whether the last intent could not be written (logged once per spell, not once per run). */
  private failing = false;

  constructor(
    private readonly journal: IntentJournal,
    private readonly log: EventLogRepository,
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bus.on(EVENTS_COMMITTED, (events) => this.onCommitted(events));
    await this.reconcile();
  }

  /** Starts a run's intent. A journal that cannot be written does not stop the cleanup: it is logged. */
  async begin(header: Omit<IntentHeader, 'run' | 'started_at'>): Promise<RunIntent> {
    const run = randomUUID();
    let durable = true;
    try {
      await this.journal.open({ ...header, run, started_at: this.clock.now().toISOString() });
      this.open.add(run);
      if (this.failing) this.logger.log('Deletion intents are written again');
      this.failing = false;
    } catch (error) {
      durable = false;
      this.warnNotDurable(header.target, error);
    }
    return {
      run,
      intend: async (files) => {
        if (!durable) return;
        try {
          await this.journal.append(run, files.map(intended));
        } catch (error) {
          durable = false;
          this.warnNotDurable(header.target, error);
        }
      },
    };
  }

  /** A run that deleted nothing: its intent goes without an outcome. */
  discard(run: string): void {
    if (this.open.delete(run)) this.journal.close(run);
  }

  /** Closes intents whose outcome is on record, and records what the disk shows of the others. */
  async reconcile(): Promise<ReconcileReport> {
    const leftovers = await this.journal.leftovers();
    let files = 0;
    let bytes = 0;
    let runs = 0;
    for (const intent of leftovers) {
      if (await this.log.hasUid(intent.header.run)) {
        this.journal.close(intent.header.run);
        continue;
      }
      const outcome = await this.outcomeOf(intent);
      runs++;
      files += outcome.deleted.length;
      bytes += outcome.bytes;
      const { header } = intent;
      this.open.add(header.run);
      await this.store.record([
        {
          type: 'cleanup.interrupted',
          target: header.target,
          uid: header.run,
          deleted: outcome.deleted,
          payload: {
            id: header.registration_id,
            run: header.run,
            trigger: header.trigger,
            algorithm: header.algorithm,
            started_at: header.started_at,
            planned_files: intent.files.length,
            files: outcome.deleted.length,
            bytes: outcome.bytes,
            first_paths: outcome.firstPaths,
          },
        },
      ]);
      this.logger.warn(
        `Run ${header.run} on ${header.target} (${header.trigger}) was interrupted: ${outcome.deleted.length} of ${intent.files.length} planned files had been deleted (${outcome.bytes} bytes); recorded`,
      );
    }
    return { runs, files, bytes };
  }

  /** The deletion records of a run's deleted files (paths relative to the volume root). */
  static records(volumeName: string, registrationPath: string, deleted: ReadonlyArray<{ path: string; size: number }>): DeletedFile[] {
    const prefix = registrationPath === '/' ? '' : registrationPath;
    return deleted.map((d) => ({ volume_name: volumeName, path: `${prefix}/${d.path}`, bytes: d.size }));
  }

  private async outcomeOf(intent: OpenIntent): Promise<{ deleted: DeletedFile[]; bytes: number; firstPaths: string[] }> {
    const gone: Array<{ path: string; size: number }> = [];
    const seen = new Set<string>();
    for (const file of intent.files) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      let now;
      try {
        now = await this.journal.identify(intent.header.root, file.path);
      } catch (error) {
        this.logger.warn(`Cannot tell whether ${file.path} of ${intent.header.target} is gone (${String(error)}): counted as not deleted`);
        continue;
      }
      if (now === 'absent' || now.ino !== file.ino || now.dev !== file.dev) gone.push({ path: file.path, size: file.size });
    }
    return {
      deleted: DeletionJournalService.records(intent.header.volume_name, intent.header.registration_path, gone),
      bytes: gone.reduce((sum, f) => sum + f.size, 0),
      firstPaths: gone.slice(0, FIRST_PATHS).map((f) => f.path),
    };
  }

  private onCommitted(events: readonly EventRecord[]): void {
    for (const event of events) {
      if (event.type !== 'cleanup.completed' && event.type !== 'cleanup.interrupted') continue;
      const run = event.payload.run;
      if (run !== undefined && this.open.delete(run)) this.journal.close(run);
    }
  }

  private warnNotDurable(target: string, error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.error(
      `The deletion intent of a run on ${target} cannot be written (${error instanceof Error ? error.message : String(error)}): ` +
        'cleanup goes on; its record is kept in memory until the log takes it, and a crash meanwhile would lose it (said once until intents are written again)',
    );
  }
}

function intended(file: FileEntry): IntendedFile {
  return { path: file.path, size: file.size, dev: file.dev, ino: file.ino };
}
