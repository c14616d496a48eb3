import { ValidationError } from './errors.js';

/** Query-string helpers that reject ill-typed values with a message naming the parameter. */

export function parseBooleanQuery(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ValidationError(`${name}: must be true or false`, name);
}

export function parseIntegerQuery(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ValidationError(`${name}: must be a whole number from ${min} to ${max}`, name);
  }
  return Number(value);
}

export function parseEnumQuery<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${name}: must be one of ${allowed.join(', ')}`, name);
  }
  return value as T;
}

export function parseStringQuery(value: unknown, name: string, maxLength = 1024): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > maxLength || value.includes('\0')) {
    throw new ValidationError(`${name}: must be a single string of at most ${maxLength} characters`, name);
  }
  return value;
}
