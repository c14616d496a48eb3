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
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_request';
  constructor(
    message: string,
    field?: string,
    readonly details: ReadonlyArray<{ field: string; message: string }> = field ? [{ field, message }] : [],
  ) {
    super(message, field);
  }
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
