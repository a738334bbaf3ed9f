/**
 * Errors on the wire: RFC 9457 problem details. `type` is PROBLEM_TYPE_BASE + one of PROBLEM_CODES,
 * a stable slug a client may branch on; `detail` is a sentence for a person.
 */
import * as z from 'zod/mini';
import { documented } from './docs.ts';

export const PROBLEM_TYPE_BASE = '/docs/problems#';

export const PROBLEM_CODES = [
  'validation-failed',
  'malformed-json',
  'unsupported-media-type',
  'body-too-large',
  'unauthenticated',
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
  'rate-limited',
  'internal',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export const FieldError = z.object({ field: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldError>;

export const Problem = documented(
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.optional(z.string()),
    errors: z.optional(z.array(FieldError)),
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
