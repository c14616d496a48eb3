import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { validationError, zodProblems } from './zod-problems.js';

/**
 * Validates one request part (the body, the query string or a path parameter) against a zod schema and hands
 * the controller the parsed value. A mismatch is answered 400 with every problem named by its field; a fault
 * of the whole value is named after the part: `body`, or the parameter's name.
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const whole = metadata.data ?? metadata.type;
    throw validationError(zodProblems(result, '').map((p) => (p.field === '' ? { ...p, field: whole } : p)));
  }
}
