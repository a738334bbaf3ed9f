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
