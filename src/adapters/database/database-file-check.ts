import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

/** The 16 bytes every SQLite database file starts with. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** How many problems quick_check reports at most (the first ones say enough). */
const MAX_PROBLEMS = 5;

/**
 * The SQLite file at SM_DB_PATH is not a database, or is damaged: the service must not start on it (it would
 * start with a part of its log, or none, and write more into a broken file). Its message names the file and says
 * how to recover; nothing was changed on disk.
 */
export class CorruptDatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `The database file ${file} ${problem}. Nothing was changed and the service did not start. ` +
        `To recover, stop anything using it, then either restore a copy of the file from a backup, or move it aside ` +
        `(mv ${file} ${file}.corrupt, with its -wal and -shm files if there are any) so that a new, empty event log ` +
        `starts at the next start, and bring the registrations back from an export ` +
        `(GET /api/registrations/export, saved beforehand) with POST /api/registrations/import; label registrations ` +
        `come back at the next discovery pass, deploy ones at the next storage-manager deploy. Keep the moved file: ` +
        `sqlite3 ${file}.corrupt .recover may still read much of it.`,
    );
    this.name = 'CorruptDatabaseError';
  }
}

/**
 * Checks the SQLite file before anything opens it for writing: a file that does not start with the SQLite header
 * (garbage, a text file, an empty file) is refused without SQLite reading it; otherwise `PRAGMA quick_check` must
 * say `ok` (it reads every page and checks each b-tree's structure; unlike integrity_check it does not check that
 * indexes match their tables, which costs about 5 times as much). The check never writes: the connection is
 * query-only, sets no journal mode, and is read-only when a WAL file is there (so that closing does not checkpoint
 * it into a damaged file); a WAL-mode file without a WAL gets none (SQLite removes what it made at close).
 * A missing file is a new database: nothing to check. Returns how long the check took, in ms.
 */
export function checkDatabaseFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const started = performance.now();
  const size = statSync(file).size;
  const wal = existsSync(`${file}-wal`);
  if (size === 0 && !wal) throw new CorruptDatabaseError(file, 'is empty (0 bytes), where an event log was expected');
  if (size > 0 && !startsWithHeader(file)) throw new CorruptDatabaseError(file, 'is not an SQLite database (it does not start with the SQLite header)');
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, readonly: wal });
    db.pragma('query_only = ON');
    const problems = (db.pragma(`quick_check(${MAX_PROBLEMS})`) as Array<{ quick_check: string }>).map((row) => row.quick_check);
    if (problems.length !== 1 || problems[0] !== 'ok') throw new CorruptDatabaseError(file, `is damaged (quick_check: ${problems.join('; ')})`);
  } catch (error) {
    if (error instanceof CorruptDatabaseError) throw error;
    if (error instanceof Database.SqliteError && /^SQLITE_(CORRUPT|NOTADB)/.test(error.code)) {
      throw new CorruptDatabaseError(file, `is damaged (${error.message})`);
    }
    throw error;
  } finally {
    db?.close();
  }
  return performance.now() - started;
}

function startsWithHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}
