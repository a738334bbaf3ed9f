import { describe, expect, it } from 'vitest';
import type { PayoutAuthorization } from '../../core/contract/till.ts';
import type { OperatorJwkSet } from '../../core/token/operator-keys.ts';
import { claimsFor, makeKey, sign, TEST_NOW } from '../shopper/testing.ts';
import { askForPayout, checkRefund, type PayoutPorts } from './payout.ts';
import type { ApiResult } from './till.api.ts';

describe('paying a refund out at the till', async () => {
  const key = await makeKey(1);
  const set: OperatorJwkSet = { keys: [key.jwk] };
  const refund = await sign(key, claimsFor(1, { kind: 'refund', amount: 4990 }));
  const claims = { ...claimsFor(1, { kind: 'refund', amount: 4990 }), kind: 'refund' as const };
  const grant: PayoutAuthorization = {
    object: 'payout_authorization',
    id: 'pau_1',
    refund_id: 'rfd_1',
    amount: 4990,
    currency: 'EUR',
    merchant: { name: 'Demo Shop' },
    order_ref: 'ORD-1',
    reference: '123456789012',
    authorized_at: TEST_NOW.toISOString(),
    server_time: TEST_NOW.toISOString(),
    server_time_proof: '1.x',
  };

  function ports(answer: ApiResult<PayoutAuthorization>, over: Partial<PayoutPorts> = {}) {
    const kept: PayoutAuthorization[] = [];
    const asked: Array<{ token: string; code?: string }> = [];
    const p: PayoutPorts = {
      cachedKeys: async () => set,
      refreshKeys: async () => set,
      storeCurrency: 'EUR',
      online: () => true,
      authorize: async (body) => {
        asked.push(body);
        return answer;
      },
      keepGrant: async (_token, g) => {
        kept.push(g);
      },
      now: () => TEST_NOW,
      ...over,
    };
    return { p, kept, asked };
  }
  const problem = (status: number, code: string): ApiResult<PayoutAuthorization> => ({ ok: false, reason: 'status', status, problem: code, detail: code });

  it('checks the refund offline, then asks the server and keeps the grant before showing "hand over"', async () => {
    const { p, kept, asked } = ports({ ok: true, data: grant });
    const checked = await checkRefund(refund, p);
    expect(checked).toMatchObject({ step: 'asking', claims: { amount: 4990, kind: 'refund' } });
    expect(await askForPayout(refund, claims, p)).toEqual({ step: 'granted', token: refund, grant });
    expect(kept).toEqual([grant]);
    expect(asked).toEqual([{ token: refund }]);
  });

  it('refuses an expired refund, one in another currency and a voucher without asking the server', async () => {
    const expired = await sign(key, claimsFor(1, { kind: 'refund', expiresAt: Math.floor(TEST_NOW.getTime() / 1000) - 1 }));
    expect(await checkRefund(expired, ports({ ok: true, data: grant }).p)).toMatchObject({ step: 'refused', reason: 'payout_expired' });
    expect(await checkRefund(refund, ports({ ok: true, data: grant }, { storeCurrency: 'JPY' }).p)).toMatchObject({ step: 'refused', reason: 'payout_wrong_currency' });
    const voucher = await sign(key, claimsFor(1));
    expect(await checkRefund(voucher, ports({ ok: true, data: grant }).p)).toMatchObject({ step: 'refused', reason: 'payout_unreadable' });
  });

  it('refuses a test-mode refund without asking the server', async () => {
    const test = await sign(key, claimsFor(1, { kind: 'refund', amount: 4990, test: true }));
    const { p, asked } = ports({ ok: true, data: grant });
    expect(await checkRefund(test, p)).toMatchObject({ step: 'refused', reason: 'payout_test' });
    expect(asked).toEqual([]);
  });

  it('never pays out offline: no keys, no network, or no answer', async () => {
    expect(await checkRefund(refund, ports({ ok: true, data: grant }, { cachedKeys: async () => null, online: () => false }).p)).toMatchObject({ reason: 'payout_offline' });
    const offline = ports({ ok: true, data: grant }, { online: () => false });
    expect(await askForPayout(refund, claims, offline.p)).toMatchObject({ step: 'refused', reason: 'payout_offline' });
    expect(offline.asked).toEqual([]);
    const lost = ports({ ok: false, reason: 'network' });
    expect(await askForPayout(refund, claims, lost.p)).toMatchObject({ reason: 'payout_offline' });
    expect(lost.kept).toEqual([]);
  });

  it('asks for the code, says when it is wrong, and sends it with the token', async () => {
    expect(await askForPayout(refund, claims, ports(problem(403, 'refund-needs-code')).p)).toMatchObject({ step: 'code', wrong: false });
    const wrong = ports(problem(403, 'refund-code-wrong'));
    expect(await askForPayout(refund, claims, wrong.p, '123456')).toMatchObject({ step: 'code', wrong: true });
    expect(wrong.asked).toEqual([{ token: refund, code: '123456' }]);
  });

  it('gives each server refusal its own sentence', async () => {
    const cases: Array<[string, number, string]> = [
      ['refund-already-paid', 409, 'payout_already_paid'],
      ['refund-held-elsewhere', 409, 'payout_held_elsewhere'],
      ['refund-not-payable', 409, 'payout_not_payable'],
      ['not-found', 404, 'payout_unknown'],
      ['rate-limited', 429, 'payout_code_locked'],
      ['internal', 500, 'payout_failed'],
    ];
    for (const [code, status, reason] of cases) {
      const { p, kept } = ports(problem(status, code));
      expect(await askForPayout(refund, claims, p), code).toMatchObject({ step: 'refused', reason });
      expect(kept).toEqual([]);
    }
  });
});
