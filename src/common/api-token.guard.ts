import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { UnauthorizedError } from './errors.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * With SM_API_TOKEN set, every mutating request needs `Authorization: Bearer <token>`; with
 * SM_PROTECT_READS=true, reads do too. The comparison takes the same time whatever the token sent.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.expected = config.api.token ? digest(config.api.token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (READ_METHODS.has(request.method) && !this.config.api.protectReads) return true;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('Authorization: Bearer <token> is required', 'authorization');
    if (!timingSafeEqual(digest(match[1]!.trim()), this.expected)) {
      throw new UnauthorizedError('the bearer token is not valid', 'authorization');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
