/**
 * The API's edge for text (core/text/text-rules.ts): every string in a JSON body, the query string
 * and the path is checked before any route sees it, and a string that breaks a rule is a 400
 * problem naming the field. Display fields (by their key: names, descriptions, order numbers) get
 * the stricter display rule. One guard for every route, so no field can be forgotten.
 */
import { createMiddleware } from 'hono/factory';
import { controlCharacterProblem, displayTextProblem } from '../../core/text/text-rules.ts';
import { ValidationError, type FieldError } from '../errors.ts';
import { hasBody } from './body.ts';

/** Keys whose strings people read at the counter or on the phone. */
export const DISPLAY_KEYS = new Set(['name', 'description', 'order_ref', 'merchant_name', 'product_description']);

function walk(value: unknown, path: string[], key: string | null, out: FieldError[]): void {
  if (out.length >= 20) return;
  if (typeof value === 'string') {
    const problem = key !== null && DISPLAY_KEYS.has(key) ? displayTextProblem(value) : controlCharacterProblem(value);
    if (problem) out.push({ field: path.join('.') || '(body)', message: problem });
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, [...path, String(i)], key, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = controlCharacterProblem(k);
      if (keyProblem) out.push({ field: [...path, k].join('.'), message: `the field name ${keyProblem}` });
      walk(v, [...path, k], k, out);
    }
  }
}

export const textGuard = createMiddleware(async (c, next) => {
  const fields: FieldError[] = [];
  let path: string;
  try {
    path = decodeURIComponent(new URL(c.req.url).pathname);
  } catch {
    throw new ValidationError('the path is not valid percent-encoded UTF-8', [{ field: '(path)', message: 'not valid percent-encoding' }]);
  }
  const pathProblem = controlCharacterProblem(path);
  if (pathProblem) fields.push({ field: '(path)', message: pathProblem });
  for (const [name, values] of Object.entries(c.req.queries())) walk(values, [name], name, fields);
  if (/^application\/(.+\+)?json/i.test(c.req.header('content-type') ?? '') && hasBody(c)) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      body = undefined; // malformed JSON: the route's validator says so
    }
    walk(body, [], null, fields);
  }
  if (fields.length > 0) throw new ValidationError(`invalid text: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
  await next();
});
