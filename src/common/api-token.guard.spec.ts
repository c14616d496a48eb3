import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { parseConfig } from '../config/app-config.js';
import { ApiTokenGuard } from './api-token.guard.js';
import { UnauthorizedError } from './errors.js';

const TOKEN = 'correct-horse-battery-staple';

/** Nest's own execution context of an HTTP request, holding a request with just a method and headers. */
function context(method: string, authorization?: string): ExecutionContext {
  const request = { method, headers: authorization ? { authorization } : {} };
  return new ExecutionContextHost([request, {}, () => undefined]);
}

function guard(env: Record<string, string>): ApiTokenGuard {
  return new ApiTokenGuard(parseConfig(env, { cwd: '/srv' }));
}

describe('ApiTokenGuard', () => {
  it('lets everything through when no token is configured', () => {
    expect(guard({}).canActivate(context('POST'))).toBe(true);
  });

  it('requires the bearer token for mutations only, by default', () => {
    const g = guard({ SM_API_TOKEN: TOKEN });
    expect(g.canActivate(context('GET'))).toBe(true);
    expect(() => g.canActivate(context('POST'))).toThrow(UnauthorizedError);
    expect(() => g.canActivate(context('DELETE', `Bearer ${TOKEN}x`))).toThrow(UnauthorizedError);
    expect(() => g.canActivate(context('DELETE', `Basic ${TOKEN}`))).toThrow(UnauthorizedError);
    expect(g.canActivate(context('DELETE', `Bearer ${TOKEN}`))).toBe(true);
    expect(g.canActivate(context('POST', `bearer ${TOKEN}`))).toBe(true);
  });

  it('protects reads too with SM_PROTECT_READS', () => {
    const g = guard({ SM_API_TOKEN: TOKEN, SM_PROTECT_READS: 'true' });
    expect(() => g.canActivate(context('GET'))).toThrow(UnauthorizedError);
    expect(g.canActivate(context('GET', `Bearer ${TOKEN}`))).toBe(true);
  });
});
