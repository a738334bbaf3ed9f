import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { basisPoints, collectionPostings, exceptionPostings, feeFor, isBalanced, payoutPostings, refundPaidPostings, remittancePostings } from './ledger-rules.ts';

describe('ledger rules', () => {
  it('rounds basis points half up in integers', () => {
    expect(basisPoints(1000, 250)).toBe(25);
    expect(basisPoints(1, 5000)).toBe(1); // 0.5 → 1
    expect(basisPoints(1, 4999)).toBe(0); // 0.4999 → 0
    expect(basisPoints(99_999_999, 10_000)).toBe(99_999_999);
    expect(() => basisPoints(100, 10_001)).toThrow(/bad fee input/);
  });

  it('caps the fee at the amount', () => {
    expect(feeFor(100, { basisPoints: 250, fixed: 30 })).toBe(33);
    expect(feeFor(10, { basisPoints: 250, fixed: 30 })).toBe(10);
  });

  it('balances every kind of transaction for any amounts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 500 }),
        (amount, feeBp, commissionBp, fixed) => {
          const fee = feeFor(amount, { basisPoints: feeBp, fixed });
          const commission = basisPoints(amount, commissionBp);
          const base = { amount, currency: 'EUR', storeId: 's', merchantId: 'm' };
          for (const postings of [
            collectionPostings({ ...base, fee, commission }),
            exceptionPostings(base),
            refundPaidPostings(base),
            remittancePostings(base),
            payoutPostings(base),
          ]) {
            expect(isBalanced(postings)).toBe(true);
            for (const p of postings) expect(Number.isSafeInteger(p.amount)).toBe(true);
          }
        },
      ),
    );
  });

  it('owes the store the cash less its commission and the merchant the amount less the fee', () => {
    const p = collectionPostings({ amount: 10_000, currency: 'EUR', storeId: 's1', merchantId: 'm1', fee: 250, commission: 100 });
    const sum = (account: string) => p.filter((x) => x.account === account).reduce((a, x) => a + x.amount, 0);
    expect(sum('store:s1')).toBe(9_900);
    expect(sum('merchant:m1')).toBe(-9_750);
    expect(sum('operator:revenue') + sum('operator:commission')).toBe(-150);
  });
});
