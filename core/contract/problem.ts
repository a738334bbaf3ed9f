/**
 * Errors on the wire: RFC 9457 problem details. `type` is PROBLEM_TYPE_BASE + one of PROBLEM_CODES,
 * a stable slug a client may branch on; `detail` is a sentence for a person.
 */
import * as z from 'zod/mini';
import { described, documented } from './docs.ts';

export const PROBLEM_TYPE_BASE = '/docs/problems#';

export const PROBLEM_CODES = [
  'validation-failed',
  'malformed-json',
  'unsupported-media-type',
  'body-too-large',
  'unauthenticated',
  'api-key-revoked',
  'api-key-expired',
  'api-key-read-only',
  'test-mode-only',
  'not-found',
  'voucher-not-open',
  'idempotency-key-in-use',
  'idempotency-key-reused',
  'database-unavailable',
  'storage-full',
  'enrollment-code-invalid',
  'device-revoked',
  'device-already-revoked',
  'refund-not-owed',
  'refund-already-paid',
  'voucher-not-paid',
  'refund-exceeds-paid',
  'refund-not-pending',
  'refund-not-cancelable',
  'refund-not-payable',
  'refund-held-elsewhere',
  'refund-needs-code',
  'refund-code-wrong',
  'token-not-a-refund',
  'payout-already-recorded',
  'review-not-held',
  'review-already-decided',
  'review-not-possible',
  'session-ended',
  'sign-in-failed',
  'console-forbidden',
  'cross-site-request',
  'rate-limited',
  'internal',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export const FieldError = z.object({
  field: described(z.string(), 'The offending field, as a dotted path (`items.0.quantity`).'),
  message: described(z.string(), 'What is wrong with it.'),
});
export type FieldError = z.infer<typeof FieldError>;

export const Problem = documented(
  z.object({
    type: described(z.string(), `\`${PROBLEM_TYPE_BASE}\` and a stable code a client may branch on (see Problem types).`),
    title: described(z.string(), 'A short, fixed summary of the problem type.'),
    status: described(z.int(), 'The HTTP status code.'),
    detail: described(z.string(), 'What went wrong this time, in a sentence for a person.'),
    instance: z.optional(described(z.string(), 'The path of the request that failed.')),
    errors: z.optional(described(z.array(FieldError), 'For `validation-failed`: each offending field.')),
  }),
  { id: 'Problem', description: 'RFC 9457 problem details.' },
);
export type Problem = z.infer<typeof Problem>;

/**
 * The code in a problem `type` (its part after `#`), or null. Kept as a string: a newer server may
 * send a code this client does not know yet, which it can still show.
 */
export function problemSlugOf(type: unknown): string | null {
  return typeof type === 'string' ? (/#([\w-]+)$/.exec(type)?.[1] ?? null) : null;
}
