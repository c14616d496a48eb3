import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from './errors.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Parses JSON request bodies and turns every way a body can be wrong into a domain error naming the fault:
 * a wrong content type (415), a body over SM_MAX_BODY_BYTES (413), malformed JSON (400).
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: express.RequestHandler;
  private readonly limit: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.api.maxBodyBytes;
    this.parse = express.json({ limit: this.limit, strict: false, type: () => true });
  }

  use(request: Request, response: Response, next: NextFunction): void {
    const hasBody =
      BODY_METHODS.has(request.method) &&
      (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0);
    if (!hasBody) {
      request.body = undefined;
      next();
      return;
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
      next(new UnsupportedMediaTypeError(`content-type must be application/json (got "${type || 'none'}")`, 'content-type'));
      return;
    }
    this.parse(request, response, (error?: unknown) => {
      if (!error) return next();
      const kind = (error as { type?: string }).type;
      if (kind === 'entity.too.large') {
        next(new PayloadTooLargeError(`body is larger than the ${this.limit}-byte limit (SM_MAX_BODY_BYTES)`, 'body'));
      } else if (kind === 'encoding.unsupported' || kind === 'charset.unsupported') {
        next(new UnsupportedMediaTypeError('content-type: the charset must be utf-8', 'content-type'));
      } else if (kind === 'entity.parse.failed') {
        next(new ValidationError(`body is not valid JSON: ${(error as Error).message}`, 'body'));
      } else {
        next(new ValidationError(`body could not be read: ${(error as Error).message}`, 'body'));
      }
    });
  }
}
