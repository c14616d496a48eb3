import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TimeSlices } from '../../common/time-slices.js';
import type { NewEvent } from '../../event-log/event.types.js';

const WORKER = fileURLToPath(new URL('./event-append.worker.js', import.meta.url));
/** Deletion records per JSON chunk handed to the worker (one chunk is built per step of the event loop's slices). */
const RECORDS_PER_CHUNK = 1000;

export interface AppendRequest {
  readonly database: string;
  readonly timeoutMs: number;
  readonly events: ReadonlyArray<{
    readonly at: number;
    readonly type: string;
    readonly target: string | null;
    readonly payload: string;
    readonly uid: string | null;
    /** JSON arrays of [volume_name, path, bytes]. */
    readonly deleted: readonly string[];
  }>;
}

export type AppendResult = { seq: number } | { existing: { seq: number; at: number; type: string; target: string | null; payload: string } };

/** An error of the worker's connection, with the SQLite code (SQLITE_FULL, SQLITE_IOERR…) for the storage mapping. */
export class WorkerDatabaseError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Whether appends can go off the main thread (the built worker is there, and the log is a file). */
export function canAppendInWorker(database: string): boolean {
  return database !== '' && database !== ':memory:' && existsSync(WORKER);
}

/**
 * Appends events with their deletion records in one transaction in a worker thread, on a connection of its own:
 * the main thread only packs the records (in slices) and waits. Binding 50,000 rows and committing them
 * (synchronous = FULL) took the loop 50–125 ms at once on the service's own synchronous connection. The caller
 * makes sure nothing else writes meanwhile (the state store's queue writes one append at a time).
 */
export async function appendInWorker(database: string, timeoutMs: number, events: readonly NewEvent[], now: Date, slices: TimeSlices): Promise<AppendResult[]> {
  const packed: Array<AppendRequest['events'][number]> = [];
  for (const event of events) {
    const deleted: string[] = [];
    const files = event.deleted ?? [];
    for (let start = 0; start < files.length; start += RECORDS_PER_CHUNK) {
      deleted.push(JSON.stringify(files.slice(start, start + RECORDS_PER_CHUNK).map((f) => [f.volume_name, f.path, f.bytes])));
      await slices.maybePause();
    }
    packed.push({
      at: (event.at ?? now).getTime(),
      type: event.type,
      target: event.target ?? null,
      payload: JSON.stringify(event.payload),
      uid: event.uid ?? null,
      deleted,
    });
  }
  const request: AppendRequest = { database, timeoutMs, events: packed };
  return new Promise((resolve, reject) => {
    let answered = false;
    const worker = new Worker(WORKER, { workerData: request });
    worker.once('message', (message: { results: AppendResult[] } | { error: { message: string; code: string | undefined } }) => {
      answered = true;
      if ('results' in message) resolve(message.results);
      else reject(new WorkerDatabaseError(message.error.message, message.error.code));
    });
    worker.once('error', (error: Error) => {
      answered = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`event log worker exited with code ${code} before answering`));
    });
  });
}
