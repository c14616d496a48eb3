import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** At DEBUG level, logs each request when it arrives and when it is answered (no headers, no bodies). */
@Injectable()
export class RequestLogMiddleware implements NestMiddleware {
  private readonly logger = new Logger('HTTP');

  use(request: Request, response: Response, next: NextFunction): void {
    const started = performance.now();
    const line = `${request.method} ${request.originalUrl.split('?')[0]}`;
    this.logger.debug(`${line} received`);
    response.once('finish', () => {
      this.logger.debug(`${line} ${response.statusCode} ${Math.round(performance.now() - started)} ms`);
    });
    next();
  }
}
