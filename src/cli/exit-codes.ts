/**
 * The exit codes of `storage-manager`, for scripts (also in `--help` and the README).
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The manager refused or failed: a conflict (409), not found, unauthorized, a server error, a cleanup with failed targets. */
  failure: 1,
  /** Usage or invalid input: bad flags or arguments, an invalid compose file or label; the manager answered 400 or 422. */
  invalid: 2,
  /** The manager could not be reached (connection refused, timeout, a proxy answering 502/503/504 without the manager's body). */
  unreachable: 3,
  /** `status`: the manager is degraded (pending or quarantined registrations, blocked targets, a critical tier…). */
  degraded: 4,
  /** `status`: the manager is unhealthy (its database is unreachable: /api/health answered 503). */
  unhealthy: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the manager refused or failed (conflict, not found, unauthorized, server error, a failed cleanup)
  2  usage or invalid input (bad flags, an invalid compose file or label, the manager answered 400/422)
  3  the manager could not be reached
  4  status: degraded
  5  status: unhealthy`;

/** An error a command reports in one message and one exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Further lines (one problem each), printed below the message. */
    readonly lines: readonly string[] = [],
  ) {
    super(message);
  }
}
