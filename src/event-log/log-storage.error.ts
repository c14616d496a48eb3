/**
 * The database could not take a write for a reason of its storage, not of the request: the adapter classifies
 * its driver's errors into these two kinds so that no service needs to know SQLite's or PostgreSQL's codes.
 * - `full`: no space (SQLITE_FULL, ENOSPC, PostgreSQL 53100 disk_full);
 * - `unavailable`: the database is away or its file cannot be written (a connection refused or ended,
 *   an I/O error such as an `EIO` from fsync — never retried as if nothing happened: the transaction is
 *   rolled back and written again later from what the manager still holds).
 */
export class LogStorageError extends Error {
  constructor(
    readonly kind: 'full' | 'unavailable',
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'LogStorageError';
  }
}

export function isLogStorageError(error: unknown): error is LogStorageError {
  return error instanceof LogStorageError;
}
