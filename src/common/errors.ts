/**
 * Domain errors. Services throw these; DomainExceptionFilter is the one place that maps them to HTTP.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(
    message: string,
    /** The request field at fault, in dotted form (`params.max_bytes`), when there is one. */
    readonly field?: string,
    /** Every problem, when a request has several (`registrations[2].path`, `registrations[5].path`). */
    readonly details: ReadonlyArray<{ field: string; message: string }> = field ? [{ field, message }] : [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_request';
}

/** The request is valid but clashes with what is there: a target registered by someone else. */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class ForbiddenTargetError extends DomainError {
  readonly status = 422;
  readonly code = 'forbidden_target';
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'unavailable';
}

/** The manager's own disk is full: the request would have to write (507 Insufficient Storage). */
export class InsufficientStorageError extends DomainError {
  readonly status = 507;
  readonly code = 'insufficient_storage';
}

/** The database cannot take writes now (away, or its file cannot be written): try again later. */
export class DatabaseUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'database_unavailable';
}
