import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AppendRequest, AppendResult } from './event-append.js';

/**
 * Worker entry: appends events and their deletion records to the SQLite log in one transaction on a connection of
 * its own (the same pragmas as the service's: synchronous = FULL, so the answer means committed), then answers with
 * each event's seq, or the stored row of an event whose uid is there already. An error is answered with its
 * message and SQLite code.
 */
const request = workerData as AppendRequest;
let db: Database.Database | undefined;
try {
  db = new Database(request.database, { timeout: request.timeoutMs });
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const byUid = db.prepare<[string], { seq: number; at: number; type: string; target: string | null; payload: string }>(
    'SELECT seq, at, type, target, payload FROM events WHERE uid = ?',
  );
  const insertEvent = db.prepare('INSERT INTO events (at, type, target, payload, uid) VALUES (?, ?, ?, ?, ?)');
  const insertDeletion = db.prepare('INSERT INTO deletions (event_seq, at, volume_name, path, bytes) VALUES (?, ?, ?, ?, ?)');
  const append = db.transaction((): AppendResult[] =>
    request.events.map((event): AppendResult => {
      if (event.uid !== null) {
        const existing = byUid.get(event.uid);
        if (existing) return { existing };
      }
      const seq = Number(insertEvent.run(event.at, event.type, event.target, event.payload, event.uid).lastInsertRowid);
      for (const chunk of event.deleted) {
        for (const file of JSON.parse(chunk) as Array<[string, string, number]>) insertDeletion.run(seq, event.at, file[0], file[1], file[2]);
      }
      return { seq };
    }),
  );
  parentPort!.postMessage({ results: append.immediate() });
} catch (error) {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  parentPort!.postMessage({ error: { message: error instanceof Error ? error.message : String(error), code } });
} finally {
  db?.close();
}
