/**
 * The operator's routes (`/v1/operator/…`, a signed-in operator's console session: docs/console.md):
 * merchants, stores, and the tills that enrol in them. The same services as the CLI's commands.
 */
import * as z from 'zod/mini';
import { Timestamp } from './common.ts';
import { described, documented } from './docs.ts';

const Name = described(z.string().check(z.minLength(1), z.maxLength(100)), 'A display name (at most 100 characters).', 'Corner Shop');

export const OperatorMerchant = documented(
  z.object({ id: described(z.string(), 'The live merchant’s id.'), name: described(z.string(), 'Its name.'), created_at: described(Timestamp, 'When it was created.') }),
  { id: 'OperatorMerchant', description: 'A merchant of the network.' },
);
export const OperatorMerchantList = documented(
  z.object({ object: described(z.literal('list'), 'Always `list`.'), data: described(z.array(OperatorMerchant), 'Every merchant.') }),
  { id: 'OperatorMerchantList', description: 'The network’s merchants.' },
);
export const CreateMerchantBody = documented(z.strictObject({ name: Name }), { id: 'CreateMerchantBody', description: 'A new merchant.' });
export const CreatedMerchant = documented(
  z.object({
    id: described(z.string(), 'The merchant’s id.'),
    name: described(z.string(), 'Its name.'),
    api_key: described(z.string(), 'Its live API key, shown only now (stored hashed).'),
    test_api_key: described(z.string(), 'Its test-mode API key, shown only now.'),
  }),
  { id: 'CreatedMerchant', description: 'The new merchant with its first keys.' },
);

export const OperatorStore = documented(
  z.object({
    id: described(z.string(), 'The store’s id.'),
    name: described(z.string(), 'Its name.'),
    currency: described(z.string(), 'The one currency its tills take.'),
    created_at: described(Timestamp, 'When it was created.'),
  }),
  { id: 'OperatorStore', description: 'A store of the network.' },
);
export const OperatorStoreList = documented(z.object({ object: described(z.literal('list'), 'Always `list`.'), data: described(z.array(OperatorStore), 'Every store.') }), {
  id: 'OperatorStoreList',
  description: 'The network’s stores.',
});
export const CreateStoreBody = documented(
  z.strictObject({ name: Name, currency: z.optional(described(z.string().check(z.regex(/^[A-Z]{3}$/)), 'ISO 4217 (default EUR).', 'EUR')) }),
  { id: 'CreateStoreBody', description: 'A new store.' },
);

export const EnrolmentCode = documented(
  z.object({
    code: described(z.string(), 'The one-time code a till types (or scans as `enrol_url`).'),
    expires_at: described(Timestamp, 'It works once, until then (24 hours).'),
    enrol_url: described(z.string(), 'The cashier view with the code filled in: the console shows it as a QR the till scans.'),
    store: described(
      z.object({ id: described(z.string(), 'The store’s id.'), name: described(z.string(), 'Its name.'), currency: described(z.string(), 'Its currency.') }),
      'The store the till joins.',
    ),
  }),
  { id: 'EnrolmentCode', description: 'A one-time code that enrols a till in a store.' },
);

export const OperatorTill = documented(
  z.object({
    id: described(z.string(), 'The till’s id.'),
    store_id: described(z.string(), 'Its store.'),
    name: described(z.nullable(z.string()), 'The name given at enrolment.'),
    status: described(z.enum(['active', 'revoked']), 'revoked: its credential opens nothing.'),
    enrolled_at: described(Timestamp, 'When it enrolled.'),
    last_seen_at: described(z.nullable(Timestamp), 'Its last sync.'),
    collections: described(z.int(), 'Collections it recorded.'),
    last_seq: described(z.int(), 'The highest journal sequence number received.'),
    missing_records: described(z.int(), 'Sequence numbers never received.'),
    reused_sequence_numbers: described(z.int(), 'Sequence numbers received more than once.'),
    chain_breaks: described(z.int(), 'Records whose hash chain does not follow the one before.'),
    rejected: described(z.int(), 'Collections the server rejected.'),
    flags: described(z.array(z.string()), 'Journal health: missing records, reused sequence numbers, chain breaks, rejected collections.'),
  }),
  { id: 'OperatorTill', description: 'A till with its journal health.' },
);
export const OperatorTillList = documented(z.object({ object: described(z.literal('list'), 'Always `list`.'), data: described(z.array(OperatorTill), 'Every till.') }), {
  id: 'OperatorTillList',
  description: 'The network’s tills.',
});

export const REVIEW_DECISIONS = ['accept', 'refund', 'write_off'] as const;

export const ReviewItem = documented(
  z.object({
    id: described(z.string(), 'The collection held.'),
    outcome: described(z.string(), 'rejected or mismatch.'),
    reason: described(z.nullable(z.string()), 'Why a rejected collection was rejected.'),
    why: described(z.string(), 'The server’s words on it.'),
    flags: described(z.array(z.string()), 'What the journal check noticed.'),
    voucher_id: described(z.nullable(z.string()), 'The voucher it names, if Counterpay holds it.'),
    amount: described(z.int(), 'What the till collected, in minor units.'),
    currency: described(z.string(), 'Its currency.'),
    tender: described(z.string(), 'Cash or card.'),
    tender_reference: described(z.nullable(z.string()), 'A card payment’s reference.'),
    collected_at: described(Timestamp, 'When the till collected it, by its clock.'),
    received_at: described(Timestamp, 'When the server received it.'),
    store: described(z.object({ id: described(z.string(), 'The store’s id.'), name: described(z.string(), 'Its name.') }), 'Where.'),
    till: described(z.object({ id: described(z.string(), 'The till’s id.'), name: described(z.nullable(z.string()), 'Its name.') }), 'Which till.'),
  }),
  { id: 'ReviewItem', description: 'A collection held for an operator’s decision.' },
);
export const ReviewList = documented(z.object({ object: described(z.literal('list'), 'Always `list`.'), data: described(z.array(ReviewItem), 'Oldest first.') }), {
  id: 'ReviewList',
  description: 'The review queue.',
});
export const ReviewDecisionBody = documented(
  z.strictObject({
    decision: described(
      z.enum(REVIEW_DECISIONS),
      'accept: the till’s honest collection (it pays its voucher if it still can, else the shopper is refunded); refund: the shopper gets the cash back; write_off: the money is written off (a reason is required).',
    ),
    reason: z.optional(described(z.string().check(z.maxLength(500)), 'Why; required for a write-off, kept with the decision.')),
  }),
  { id: 'ReviewDecisionBody', description: 'An operator’s decision on a held collection.' },
);
export const ReviewDecision = documented(
  z.object({
    object: described(z.literal('review_decision'), 'Always `review_decision`.'),
    collection_id: described(z.string(), 'The collection decided.'),
    decision: described(z.enum(REVIEW_DECISIONS), 'What was decided.'),
    result: described(z.string(), 'What the decision did.'),
    refund_id: described(z.nullable(z.string()), 'The shopper’s refund, when there is one.'),
    decided_by: described(z.string(), 'Who decided.'),
    decided_at: described(Timestamp, 'When.'),
  }),
  { id: 'ReviewDecision', description: 'A decision on a held collection; the till sees it in its feed.' },
);

const Totals = z.array(
  z.object({
    currency: described(z.string(), 'ISO 4217.'),
    count: described(z.int(), 'How many.'),
    amount: described(z.int(), 'Their sum, in minor units.'),
  }),
);

export const Overview = documented(
  z.object({
    object: described(z.literal('overview'), 'Always `overview`.'),
    day: described(z.string(), 'Today (UTC), YYYY-MM-DD.'),
    collections: described(Totals, 'Accepted collections today, per currency.'),
    refunds_paid: described(Totals, 'Refunds paid out at tills today, per currency.'),
    review_waiting: described(z.int(), 'Collections held for a decision.'),
    tills_past_lease: described(
      z.array(
        z.object({
          id: described(z.string(), 'The till.'),
          name: described(z.string(), 'Its name.'),
          store: described(z.object({ id: described(z.string(), 'The store.'), name: described(z.string(), 'Its name.') }), 'Where it is.'),
          last_seen_at: described(z.nullable(Timestamp), 'Its last sync (null: never since it enrolled).'),
        }),
      ),
      'Active tills that have not synced within their store’s offline lease.',
    ),
    failing_endpoints: described(
      z.array(
        z.object({
          id: described(z.string(), 'The endpoint.'),
          url: described(z.string(), 'Where it posts.'),
          merchant: described(z.object({ id: described(z.string(), 'The merchant.'), name: described(z.string(), 'Its name.') }), 'Whose it is.'),
        }),
      ),
      'Merchants’ webhook endpoints whose deliveries keep failing.',
    ),
    per_day: described(
      z.array(
        z.object({
          day: described(z.string(), 'YYYY-MM-DD (UTC).'),
          currency: described(z.string(), 'ISO 4217.'),
          count: described(z.int(), 'Accepted collections that day.'),
          amount: described(z.int(), 'Their sum, in minor units.'),
        }),
      ),
      'Accepted collections per day for the last 14 days, oldest first (days without any are left out).',
    ),
  }),
  { id: 'Overview', description: 'The network today, and what needs the operator’s attention.' },
);
export type Overview = z.infer<typeof Overview>;
