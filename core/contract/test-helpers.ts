/**
 * Test helpers (`/v1/test_helpers/…`), test mode only: what a till would do to a test-mode voucher
 * or refund, done by Counterpay's built-in test till through the same ingest a real till's
 * records take (docs/test-mode.md). A live key gets 403 `test-mode-only`.
 */
import * as z from 'zod/mini';
import { TENDERS } from '../collections/collection-record.ts';
import { COLLECTION_OUTCOMES } from '../collections/outcome.ts';
import { described, documented } from './docs.ts';
import { Voucher } from './vouchers.ts';

/** The outcomes a test collection can simulate (a rejected record is not one a merchant can cause). */
export const SIMULATED_OUTCOMES = ['accepted', 'duplicate', 'late', 'mismatch'] as const;
export type SimulatedOutcome = (typeof SIMULATED_OUTCOMES)[number];

export const TestCollectBody = documented(
  z.strictObject({
    outcome: documented(z.enum(SIMULATED_OUTCOMES), {
      description:
        'What the test till makes happen. `accepted`: the voucher is paid (it must be open). `duplicate`: it is paid, and a second collection of it is refunded (an open voucher is collected twice, a paid one once more). `late`: it is collected after its expiry (an open voucher is moved past it first) and refunded. `mismatch`: one minor unit too little is collected (too much for an amount of 1), and refunded.',
      example: 'accepted',
    }),
    tender: z.optional(documented(z.enum(TENDERS), { description: 'How the shopper paid at the counter; `cash` when not given.', example: 'cash' })),
  }),
  { id: 'TestCollect' },
);
export type TestCollectBody = z.infer<typeof TestCollectBody>;

export const TestCollectionResult = documented(
  z.object({
    id: described(z.string(), "The collection's id (the test till's record id)."),
    outcome: described(z.enum(COLLECTION_OUTCOMES), 'The outcome the ingest decided, as for any till.'),
    detail: described(z.string(), 'Why, in a sentence.'),
    refund_id: z.nullable(described(z.string(), 'The refund of the cash owed back to the shopper (duplicate, late, mismatch); else null.')),
  }),
  { id: 'TestCollectionResult' },
);

export const TestCollection = documented(
  z.object({
    object: described(z.literal('test_collection'), 'Always `test_collection`.'),
    collections: described(z.array(TestCollectionResult), 'Each record the test till sent, in order, with its outcome.'),
    voucher: Voucher,
  }),
  { id: 'TestCollection', description: 'What a simulated collection did: each record the test till sent, and the voucher as it now is.' },
);
export type TestCollection = z.infer<typeof TestCollection>;
