/**
 * The server validates requests with the contract's schemas rebuilt as classic zod for the OpenAPI
 * generator (openapi-schema.ts). A rebuilt schema must decide exactly as the contract does, with
 * the same messages at the same paths, or the browser and the server would disagree.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type * as mini from 'zod/mini';
import { CreateVoucherBody, ListVouchersQuery } from '../../core/contract/vouchers.ts';
import { VoucherStatusRequest } from '../../core/contract/voucher-link.ts';
import { CollectionsBatch, EnrolRequest, FeedQuery, PayoutRequest, SignedCollection, SignedPayout, SignedShiftClose } from '../../core/contract/till.ts';
import { CreateRefundBody, ListRefundsQuery } from '../../core/contract/refunds.ts';
import { CreateEndpointBody } from '../../core/contract/webhooks.ts';
import { openApiSchema } from './openapi-schema.ts';

const record = {
  v: 2,
  id: '0b7f6f0e-6a0e-4c39-9a57-2f1e8c1f4b11',
  device_id: 'dev_abc',
  seq: 1,
  prev_hash: '0'.repeat(64),
  token: '1234',
  amount: 4990,
  currency: 'EUR',
  tender: 'cash',
  tender_reference: null,
  collected_at: '2030-01-01T10:00:00Z',
  signature: 'sig',
  server_time: '2030-01-01T09:00:00Z',
  server_time_proof: 'proof',
};
const voucher = {
  order_ref: 'ORD-1',
  amount: 300,
  currency: 'EUR',
  items: [{ name: ' Mug ', quantity: 2, unit_amount: 150 }],
  customer: { email: 'a@example.org', locale: 'zh-CN' },
  notify: ['email'],
  metadata: { k: 'v' },
};

/** A valid sample, then variations of it that break one rule each. */
const variants = (base: object, ...changes: object[]) => [base, ...changes.map((change) => ({ ...base, ...change }))];

/** Samples for each schema, beside arbitrary values. */
const cases: Array<[string, mini.ZodMiniType, unknown[]]> = [
  [
    'CreateVoucherBody',
    CreateVoucherBody,
    variants(voucher, { amount: 301 }, { amount: 1.5 }, { currency: 'eur' }, { expires_in: 10, expires_at: 'x' }, { notify: ['sms'] }, { extra: 1 }),
  ],
  ['CreateVoucherBody items', CreateVoucherBody, variants(voucher, { items: [{ name: '', quantity: 0, unit_amount: -1 }] })],
  ['SignedCollection', SignedCollection, variants(record, { v: 1 }, { v: 3 }, { id: 'X' }, { amount: 0 }, { tender: 'gold' }, { collected_at: 'yesterday' }, { more: true })],
  [
    'EnrolRequest',
    EnrolRequest,
    [
      { enrollment_code: 'ABCD-EFGH', public_key: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', ext: true } },
      { enrollment_code: '', public_key: { kty: 'RSA' } },
    ],
  ],
  ['VoucherStatusRequest', VoucherStatusRequest, [{ tokens: ['1'] }, { tokens: [] }, { tokens: Array(51).fill('1') }]],
  ['CollectionsBatch', CollectionsBatch, [{ collections: [1] }, { collections: [] }]],
  [
    'CreateEndpointBody',
    CreateEndpointBody,
    [
      { url: 'https://example.org/h', events: ['voucher.paid'] },
      { url: 'x', events: [] },
    ],
  ],
  ['ListVouchersQuery', ListVouchersQuery, [{}, { limit: '5' }, { limit: '0' }, { limit: 'many', status: 'gone' }]],
  ['FeedQuery', FeedQuery, [{}, { since: 'x'.repeat(201) }]],
  [
    'CreateRefundBody',
    CreateRefundBody,
    variants(
      { voucher_id: 'vch_1', amount: 100, reason: 'goods_returned' },
      { amount: 0 },
      { amount: 1.5 },
      { reason: 'duplicate' },
      { expires_in: 60 },
      { voucher_id: '' },
      { x: 1 },
    ),
  ],
  ['ListRefundsQuery', ListRefundsQuery, [{}, { limit: '5', status: 'paid' }, { limit: '101' }, { status: 'authorized' }]],
  ['PayoutRequest', PayoutRequest, [{ token: '123' }, { token: '123', code: '123456' }, { token: 'abc' }, { token: '1', code: '12345' }, { token: '1', extra: true }]],
  [
    'SignedPayout',
    SignedPayout,
    variants(
      {
        type: 'payout',
        v: 1,
        id: record.id,
        device_id: 'dev_abc',
        seq: 2,
        prev_hash: '0'.repeat(64),
        token: '1234',
        authorization_id: 'pau_1',
        amount: 4990,
        currency: 'EUR',
        paid_at: '2030-01-01T10:00:00Z',
        server_time: '2030-01-01T09:00:00Z',
        server_time_proof: 'proof',
        signature: 'sig',
      },
      { type: 'collection' },
      { authorization_id: '' },
      { paid_at: 'now' },
      { tender: 'cash' },
    ),
  ],
  [
    'SignedShiftClose',
    SignedShiftClose,
    variants(
      {
        type: 'shift_close',
        v: 1,
        id: record.id,
        device_id: 'dev_abc',
        seq: 3,
        prev_hash: '0'.repeat(64),
        currency: 'EUR',
        opened_at: '2030-01-01T08:00:00Z',
        closed_at: '2030-01-01T17:00:00Z',
        first_seq: 1,
        last_seq: 2,
        collections: [{ tender: 'cash', count: 1, total: 4990 }],
        payouts: { count: 0, total: 0 },
        opening_float: 0,
        expected_cash: 4990,
        counted_cash: 4990,
        difference: 0,
        float_left: 0,
        server_time: '2030-01-01T09:00:00Z',
        server_time_proof: 'proof',
        signature: 'sig',
      },
      { first_seq: null, last_seq: null },
      { collections: [{ tender: 'gold', count: 1, total: 1 }] },
      { counted_cash: -1 },
      { payouts: { count: 1 } },
    ),
  ],
];

const outcome = (
  schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string; code: string }> } } },
  value: unknown,
) => {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, data: r.data } : { ok: false, issues: r.error!.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })) };
};

describe('contract schemas rebuilt for the OpenAPI document', () => {
  it.each(cases)('%s decides every sample as the contract does', (_name, schema, samples) => {
    const rebuilt = openApiSchema(schema);
    for (const sample of samples) expect(outcome(rebuilt, sample), JSON.stringify(sample)).toEqual(outcome(schema, sample));
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(outcome(rebuilt, value)).toEqual(outcome(schema, value));
      }),
      { seed: 10, numRuns: 200 },
    );
  });

  it('names a shared shape once in the document', () => {
    expect(openApiSchema(SignedCollection)).toBe(openApiSchema(SignedCollection));
  });
});
