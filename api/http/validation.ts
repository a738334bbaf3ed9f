/** Turns zod failures into one ValidationError naming every offending field. */
import type { z } from '@hono/zod-openapi';
import { ValidationError, type FieldError } from '../errors.ts';

const WHERE: Record<string, string> = { json: 'body', query: 'query string', param: 'path', header: 'headers' };

export function toValidationError(error: z.ZodError, target: string): ValidationError {
  const fields: FieldError[] = [];
  for (const issue of error.issues) {
    const keys = (issue as { keys?: string[] }).keys;
    if (issue.code === 'unrecognized_keys' && keys) {
      for (const key of keys) fields.push({ field: [...issue.path, key].join('.'), message: 'is not a known field' });
    } else {
      // zod says "expected string, received undefined" for a missing field; say it plainly.
      const message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'is required' : issue.message;
      fields.push({ field: issue.path.join('.') || '(body)', message });
    }
  }
  const detail = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new ValidationError(`invalid ${WHERE[target] ?? target}: ${detail}`, fields);
}
