/**
 * Refunds (docs/refunds.md): issued by a merchant for a paid voucher or by Counterpay for cash it
 * may not keep, delivered to the shopper like the voucher, and paid out in cash at any store's
 * till at most once. Every state change posts its ledger transaction and records its event in the
 * same database transaction.
 */
import { queuePush } from '../push/push.service.ts';
import {
  DEFAULT_REFUND_EXPIRES_IN_SECONDS,
  SYSTEM_REFUND_REASONS,
  type CreateRefundBody,
  type ListRefundsQuery,
  type Refund,
  type RefundList,
  type RefundReason,
} from '../../core/contract/refunds.ts';
import type { PayoutAuthorization, PayoutRequest, PayoutVoid } from '../../core/contract/till.ts';
import type { EventType } from '../../core/contract/webhooks.ts';
import { merchantRefundPostings, refundPaidPostings, refundReturnedPostings } from '../../core/ledger/ledger-rules.ts';
import { signServerTime } from '../../core/collections/server-time.ts';
import { referenceForVoucherId } from '../../core/reference/reference.ts';
import { refundStatusOf } from '../../core/refunds/refund-status.ts';
import { MERCHANT_DISPLAY_MAX_BYTES, truncateUtf8 } from '../../core/token/limits.ts';
import { signVoucherToken, verifyVoucherToken } from '../../core/token/voucher-token.ts';
import { newVoucherIdBytes, refundIdToString } from '../../core/vouchers/voucher-id.ts';
import type { Clock } from '../clock.ts';
import type { Db, Tx } from '../db/client.ts';
import { ConflictError, CounterpayError, NotFoundError, ValidationError } from '../errors.ts';
import { RateLimiter, type RateRule } from '../http/rate-limit.ts';
import { newId, newPayoutCode } from '../ids.ts';
import { ledgerRepository } from '../ledger/ledger.repository.ts';
import type { MerchantRef } from '../merchant-api/vouchers/vouchers.service.ts';
import type { VoucherRow } from '../merchant-api/vouchers/vouchers.repository.ts';
import { queueVoucherMessages, recordEvent } from '../outbox/events.ts';
import type { SigningKeys } from '../signing-keys/signing-keys.service.ts';
import type { DeviceRow, StoreRow } from '../till-api/devices.repository.ts';
import { refundJson } from './refund-json.ts';
import { refundsRepository as repo, type RefundRow } from './refunds.repository.ts';

const ATTEMPTS = 5;
/** Payout code tries a refund allows per window, across this process's tills (a code has 10^6 values). */
export const PAYOUT_CODE_ATTEMPTS: RateRule = { what: 'payout code tries for this refund', max: 5, windowMs: 15 * 60_000 };

type Endpoints = Array<{ id: string; events: string[] }>;

export class TokenNotARefundError extends CounterpayError {
  constructor(detail: string) {
    super('invalid', 'token-not-a-refund', 'This is not a refund token', detail, [{ field: 'token', message: detail }]);
  }
}

export class PayoutCodeError extends CounterpayError {
  constructor(code: 'refund-needs-code' | 'refund-code-wrong', detail: string) {
    super('forbidden', code, code === 'refund-needs-code' ? 'This payout needs the code sent to the shopper' : 'The payout code is wrong', detail, [
      { field: 'code', message: detail },
    ]);
  }
}

export class RefundsService {
  private readonly codeAttempts: RateLimiter;

  constructor(
    private readonly db: Db,
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly merchantNames: (merchantId: string) => Promise<string>,
  ) {
    this.codeAttempts = new RateLimiter(clock, PAYOUT_CODE_ATTEMPTS);
  }

  toJson(row: RefundRow, now = this.clock.now()): Refund {
    return refundJson(row, this.publicUrl, now);
  }

  /**
   * A merchant refunds a paid voucher, in full or in part. The voucher row is locked for the
   * transaction, so concurrent refunds of one voucher are decided one after the other and together
   * never exceed what was paid.
   */
  async create(merchant: MerchantRef, input: CreateRefundBody, tx: Tx): Promise<Refund> {
    const now = this.clock.now();
    const voucher = await repo.lockVoucher(tx, merchant.id, input.voucher_id);
    if (!voucher) throw new NotFoundError('voucher', input.voucher_id);
    if (voucher.status !== 'paid') {
      throw new ConflictError(
        'voucher-not-paid',
        `voucher ${voucher.id} is ${voucher.status === 'open' && voucher.expiresAt <= now ? 'expired' : voucher.status}; only a paid voucher can be refunded${voucher.status === 'open' ? ' (cancel an open one instead)' : ''}`,
      );
    }
    const left = voucher.amount - (await repo.refundedByMerchant(tx, voucher.id));
    if (left <= 0) throw new ConflictError('refund-exceeds-paid', `voucher ${voucher.id} is already refunded in full (${voucher.amount} ${voucher.currency})`);
    const amount = input.amount ?? left;
    if (amount > left) {
      throw new ConflictError('refund-exceeds-paid', `voucher ${voucher.id} has ${left} ${voucher.currency} left to refund of the ${voucher.amount} paid; asked for ${amount}`);
    }
    const row = await this.issue(tx, {
      voucher,
      merchantName: merchant.name,
      amount,
      currency: voucher.currency,
      reason: input.reason,
      collectionId: null,
      expiresIn: input.expires_in ?? DEFAULT_REFUND_EXPIRES_IN_SECONDS,
      now,
    });
    await ledgerRepository.post(
      tx,
      {
        kind: 'refund',
        refundId: row.id,
        merchantId: merchant.id,
        currency: row.currency,
        memo: `refund ${row.id} of voucher ${voucher.id} (${input.reason})`,
        createdAt: now,
        livemode: row.livemode,
      },
      merchantRefundPostings({ amount, currency: row.currency, merchantId: merchant.id }),
    );
    return this.toJson(row, now);
  }

  /**
   * Counterpay's own refund of a collection's cash (duplicate, late, mismatch, or a review
   * decision), in the collection's transaction. The cash is already posted as owed to the shopper
   * (exceptionPostings); this makes it payable and tells the shopper and the merchant.
   */
  async issueForCollection(
    tx: Tx,
    q: { voucher: VoucherRow; merchantName: string; collectionId: string; amount: number; currency: string; reason: RefundReason; now: Date; endpoints?: Endpoints },
  ): Promise<RefundRow> {
    return this.issue(tx, { ...q, expiresIn: DEFAULT_REFUND_EXPIRES_IN_SECONDS });
  }

  private async issue(
    tx: Tx,
    q: {
      voucher: VoucherRow;
      merchantName: string;
      amount: number;
      currency: string;
      reason: RefundReason;
      collectionId: string | null;
      expiresIn: number;
      now: Date;
      endpoints?: Endpoints;
    },
  ): Promise<RefundRow> {
    const { voucher, now } = q;
    const signer = await this.keys.signer(tx);
    // Tokens carry whole seconds; the row keeps the same instant.
    const expiresAt = new Date(Math.floor((now.getTime() + q.expiresIn * 1000) / 1000) * 1000);
    const channels = (['email', 'sms'] as const).filter((c) => (c === 'email' ? voucher.customer?.email : voucher.customer?.phone));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const idBytes = newVoucherIdBytes();
      const reference = referenceForVoucherId(idBytes);
      // References are one number space at the till: a refund never takes a voucher's.
      if (await repo.referenceTaken(tx, reference)) continue;
      const token = await signVoucherToken(
        {
          kind: 'refund',
          kid: signer.kid,
          voucherId: idBytes,
          amount: q.amount,
          currency: q.currency,
          expiresAt: expiresAt.getTime() / 1000,
          merchant: truncateUtf8(q.merchantName, MERCHANT_DISPLAY_MAX_BYTES),
          orderRef: voucher.orderRef,
          summary: '',
          test: !voucher.livemode,
        },
        signer.sign,
      );
      const row: RefundRow = {
        id: refundIdToString(idBytes),
        merchantId: voucher.merchantId,
        livemode: voucher.livemode,
        voucherId: voucher.id,
        collectionId: q.collectionId,
        reason: q.reason,
        orderRef: voucher.orderRef,
        voucherLinkCode: voucher.linkCode,
        state: 'pending',
        amount: q.amount,
        currency: q.currency,
        reference,
        token,
        kid: signer.kid,
        payoutCode: newPayoutCode(),
        payoutCodeSentTo: [...channels],
        expiresAt,
        createdAt: now,
        authorizationId: null,
        authorizedDeviceId: null,
        authorizedAt: null,
        paidAt: null,
        paidStoreId: null,
        paidDeviceId: null,
        payoutId: null,
        canceledAt: null,
        expiredAt: null,
      };
      if (!(await repo.insert(tx, row))) continue;
      await this.event(tx, row, 'refund.created', now, q.endpoints);
      await queueVoucherMessages(tx, { merchantId: voucher.merchantId, voucherId: voucher.id, refundId: row.id, channels: [...channels], now });
      await queuePush(tx, { voucherId: voucher.id, merchantId: voucher.merchantId, kind: 'refund', refundId: row.id, now });
      return row;
    }
    throw new Error(`no free refund id after ${ATTEMPTS} attempts`);
  }

  private event(tx: Tx, row: RefundRow, type: EventType, now: Date, endpoints?: Endpoints) {
    return recordEvent(tx, { merchantId: row.merchantId, type, data: { object: this.toJson(row, now) }, now, endpoints });
  }

  async get(merchant: MerchantRef, id: string): Promise<Refund> {
    const row = await repo.byId(this.db, id, merchant.id);
    if (!row) throw new NotFoundError('refund', id);
    return this.toJson(row);
  }

  async list(merchant: MerchantRef, q: ListRefundsQuery): Promise<RefundList> {
    const now = this.clock.now();
    let after: RefundRow | undefined;
    if (q.starting_after !== undefined) {
      after = await repo.byId(this.db, q.starting_after, merchant.id);
      if (!after)
        throw new ValidationError(`starting_after names no refund of yours: ${JSON.stringify(q.starting_after)}`, [{ field: 'starting_after', message: 'no such refund' }]);
    }
    const rows = await repo.list(this.db, merchant.id, { status: q.status, voucherId: q.voucher_id, limit: q.limit + 1, after, now });
    return { object: 'list', data: rows.slice(0, q.limit).map((r) => this.toJson(r, now)), has_more: rows.length > q.limit };
  }

  /** The merchant withdraws a pending refund it issued; the money is the merchant's again. */
  async cancel(merchant: MerchantRef, id: string): Promise<Refund> {
    const now = this.clock.now();
    const row = await this.db.transaction(async (tx) => {
      const canceled = await repo.cancel(tx, merchant.id, id, now);
      if (canceled) await this.returnToMerchant(tx, canceled, 'refund.canceled', now);
      return canceled;
    });
    if (row) return this.toJson(row, now);
    const existing = await repo.byId(this.db, id, merchant.id);
    if (!existing) throw new NotFoundError('refund', id);
    if ((SYSTEM_REFUND_REASONS as readonly string[]).includes(existing.reason)) {
      throw new ConflictError('refund-not-cancelable', `refund ${id} returns cash the shopper paid at a store (${existing.reason}); it is the shopper's and cannot be canceled`);
    }
    if (existing.state === 'authorized') throw new ConflictError('refund-not-pending', `refund ${id} is being paid out at a till right now; it cannot be canceled`);
    throw new ConflictError('refund-not-pending', `refund ${id} is ${refundStatusOf(existing.state, existing.expiresAt, now)}; only a pending refund can be canceled`);
  }

  /** Pending refunds past their expiry: the money returns to the merchant, with refund.expired. */
  async expireDue(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const expired = await repo.expireDue(tx, now);
      for (const row of expired) await this.returnToMerchant(tx, row, 'refund.expired', now);
      return expired.length;
    });
  }

  private async returnToMerchant(tx: Tx, row: RefundRow, type: 'refund.canceled' | 'refund.expired', now: Date) {
    await ledgerRepository.post(
      tx,
      {
        kind: 'refund_returned',
        livemode: row.livemode,
        refundId: row.id,
        merchantId: row.merchantId,
        currency: row.currency,
        memo: `refund ${row.id} ${type === 'refund.canceled' ? 'canceled' : 'expired unclaimed'}: returned to the merchant`,
        createdAt: now,
      },
      refundReturnedPostings({ amount: row.amount, currency: row.currency, merchantId: row.merchantId }),
    );
    await this.event(tx, row, type, now);
  }

  /**
   * A till asks to pay a refund out (docs/till-protocol.md, "Payouts"). The grant is one guarded
   * UPDATE: of all tills and processes asking at once, exactly one is granted. Asking again from
   * the till that holds the grant answers the same grant (its answer may have been lost).
   */
  async authorize(device: DeviceRow, store: StoreRow, input: PayoutRequest): Promise<PayoutAuthorization> {
    const now = this.clock.now();
    const row = await this.refundForToken(input.token, store);
    if (row.currency !== store.currency) {
      throw new ConflictError('refund-not-payable', `refund ${row.id} is in ${row.currency}; this store pays out ${store.currency} only`);
    }
    if (row.state === 'authorized' && row.authorizedDeviceId === device.id) return this.grantAnswer(row, device, now);
    this.refuseUnpayable(row, device, now);
    if (store.payoutCodeAbove !== null && row.amount > store.payoutCodeAbove) this.checkCode(row, store, input.code);
    const authorizationId = newId('pau');
    const granted = await this.db.transaction((tx) => repo.authorize(tx, { refundId: row.id, authorizationId, deviceId: device.id, storeId: store.id, now }));
    if (granted) return this.grantAnswer(granted, device, now);
    // Another till (or this one, in another request) won the same moment: say what it now is.
    const now2 = this.clock.now();
    const after = (await repo.byId(this.db, row.id))!;
    if (after.state === 'authorized' && after.authorizedDeviceId === device.id) return this.grantAnswer(after, device, now2);
    this.refuseUnpayable(after, device, now2);
    throw new ConflictError('refund-not-payable', `refund ${row.id} could not be authorised; try again`);
  }

  private async refundForToken(token: string, store: StoreRow): Promise<RefundRow> {
    const checked = await verifyVoucherToken(token, await this.keys.verificationKeys());
    if (!checked.ok) throw new ValidationError(`the token does not verify (${checked.reason}: ${checked.detail})`, [{ field: 'token', message: checked.reason }]);
    if (checked.claims.kind !== 'refund') throw new TokenNotARefundError('this is a voucher the shopper pays, not a refund: collect it instead');
    const testTill = store.testMerchantId !== null;
    if (checked.claims.test && !testTill) throw new TokenNotARefundError('this is a test-mode refund: no till may pay it out (the test helpers pay test refunds out)');
    if (!checked.claims.test && testTill) throw new TokenNotARefundError('this is a live refund: the test till pays out test-mode refunds only');
    const id = refundIdToString(checked.claims.voucherId);
    const row = await repo.byId(this.db, id);
    // A verified token for a refund we do not hold (or not this token) cannot happen unless data was lost.
    if (!row || row.token !== token) throw new NotFoundError('refund', id);
    return row;
  }

  /** Throws the refusal for a refund no till may pay out now; returns when it is pending and unexpired. */
  private refuseUnpayable(row: RefundRow, device: DeviceRow, now: Date): void {
    const status = refundStatusOf(row.state, row.expiresAt, now);
    if (row.state === 'authorized' && row.authorizedDeviceId !== device.id)
      throw new ConflictError('refund-held-elsewhere', `refund ${row.id} is being paid out at another till right now`);
    if (status === 'paid')
      throw new ConflictError('refund-already-paid', `refund ${row.id} was already paid out at store ${row.paidStoreId} on ${row.paidAt?.toISOString()}; do not pay it again`);
    if (status === 'canceled') throw new ConflictError('refund-not-payable', `refund ${row.id} was canceled by the merchant`);
    if (status === 'expired') throw new ConflictError('refund-not-payable', `refund ${row.id} expired at ${row.expiresAt.toISOString()}; the shopper must ask the merchant`);
  }

  private checkCode(row: RefundRow, store: StoreRow, code: string | undefined): void {
    const limit = `refunds above ${store.payoutCodeAbove} ${store.currency} need the six-digit code`;
    if (code === undefined) {
      const where =
        row.payoutCodeSentTo.length > 0
          ? `sent to the shopper by ${row.payoutCodeSentTo.map((c) => (c === 'email' ? 'e-mail' : 'SMS')).join(' and ')}`
          : 'the merchant holds (no e-mail or phone was known to send it to)';
      throw new PayoutCodeError('refund-needs-code', `${limit} ${where}; ask the shopper for it`);
    }
    // Every try counts: a code has 10^6 values, a refund allows a few tries per window, across tills.
    this.codeAttempts.take(row.id);
    if (code !== row.payoutCode) {
      throw new PayoutCodeError('refund-code-wrong', `the code does not match refund ${row.id}; ask the shopper to read it again`);
    }
  }

  private async grantAnswer(row: RefundRow, device: DeviceRow, now: Date): Promise<PayoutAuthorization> {
    const serverTime = now.toISOString();
    return {
      object: 'payout_authorization',
      id: row.authorizationId!,
      refund_id: row.id,
      amount: row.amount,
      currency: row.currency,
      merchant: { name: await this.merchantNames(row.merchantId) },
      order_ref: row.orderRef,
      reference: row.reference,
      authorized_at: row.authorizedAt!.toISOString(),
      server_time: serverTime,
      server_time_proof: await signServerTime(device.id, serverTime, await this.keys.signer()),
    };
  }

  /** The till gives its grant back: the cash was not handed over, and the refund is payable again. */
  async void(device: DeviceRow, authorizationId: string): Promise<PayoutVoid> {
    const now = this.clock.now();
    const row = await this.db.transaction((tx) => repo.void(tx, { authorizationId, deviceId: device.id, now }));
    if (row) return { object: 'payout_void', authorization_id: authorizationId, refund_id: row.id, voided_at: now.toISOString() };
    const auth = await repo.authorization(this.db, authorizationId);
    if (!auth || auth.deviceId !== device.id) throw new NotFoundError('payout authorization of this till', authorizationId);
    if (auth.payoutId) throw new ConflictError('payout-already-recorded', `this till recorded payout ${auth.payoutId} under authorisation ${authorizationId}; it cannot be voided`);
    // Voided before: the same answer again.
    return { object: 'payout_void', authorization_id: authorizationId, refund_id: auth.refundId, voided_at: auth.voidedAt!.toISOString() };
  }

  /**
   * A till's payout record, in its own transaction (api/till-api/collections.service.ts): pays the
   * refund when the record is the authorised till's, for that refund and amount. Returns the
   * refund when paid, or why not.
   */
  async payOut(
    tx: Tx,
    q: { refundId: string; authorizationId: string; amount: number; currency: string; device: DeviceRow; store: StoreRow; payoutId: string; paidAt: Date; now: Date },
  ): Promise<{ paid: RefundRow } | { refused: string; refundExists: boolean }> {
    const refund = await repo.byId(tx, q.refundId);
    if (!refund) return { refused: `no refund ${q.refundId} exists, though its token verifies; held for review`, refundExists: false };
    const refuse = (why: string) => ({ refused: `${why}; held for review`, refundExists: true });
    const auth = await repo.authorization(tx, q.authorizationId);
    if (!auth || auth.refundId !== q.refundId || auth.deviceId !== q.device.id) return refuse(`no payout authorisation ${q.authorizationId} of this till for refund ${q.refundId}`);
    if (auth.voidedAt) return refuse(`authorisation ${q.authorizationId} was voided at ${auth.voidedAt.toISOString()}, before this payout reached the server`);
    if (refund.amount !== q.amount || refund.currency !== q.currency)
      return refuse(`the record pays ${q.amount} ${q.currency} but refund ${q.refundId} is for ${refund.amount} ${refund.currency}`);
    const paid = await repo.pay(tx, { authorizationId: q.authorizationId, deviceId: q.device.id, storeId: q.store.id, payoutId: q.payoutId, paidAt: q.paidAt });
    if (!paid) return refuse(`refund ${q.refundId} is no longer authorised to this till`);
    await ledgerRepository.post(
      tx,
      {
        kind: 'refund_paid',
        livemode: paid.livemode,
        refundId: paid.id,
        storeId: q.store.id,
        currency: paid.currency,
        memo: `refund ${paid.id} paid out at store ${q.store.id} (payout ${q.payoutId})`,
        createdAt: q.now,
      },
      refundPaidPostings({ amount: paid.amount, currency: paid.currency, storeId: q.store.id }),
    );
    await this.event(tx, paid, 'refund.paid', q.now);
    return { paid };
  }

  /**
   * The operator records that a store handed a collection's refund back outside a till (the
   * `refund pay` command): the refund is paid at the collection's store, once.
   */
  async paidAtStore(collectionId: string): Promise<Refund> {
    const collection = await ledgerRepository.collection(this.db, collectionId);
    if (!collection) throw new NotFoundError('collection', collectionId);
    const refund = await repo.byCollection(this.db, collectionId);
    if (!refund)
      throw new ConflictError(
        'refund-not-owed',
        `collection ${collectionId} is ${collection.outcome}; only a duplicate, late or mismatched collection is owed back to the shopper`,
      );
    const now = this.clock.now();
    const paid = await this.db.transaction(async (tx) => {
      const row = await repo.payOutsideTill(tx, { refundId: refund.id, storeId: collection.storeId, paidAt: now });
      if (!row) return undefined;
      await ledgerRepository.post(
        tx,
        {
          kind: 'refund_paid',
          livemode: row.livemode,
          refundId: row.id,
          storeId: collection.storeId,
          currency: row.currency,
          memo: `refund ${row.id} paid back at store ${collection.storeId} outside a till`,
          createdAt: now,
        },
        refundPaidPostings({ amount: row.amount, currency: row.currency, storeId: collection.storeId }),
      );
      await this.event(tx, row, 'refund.paid', now);
      return row;
    });
    if (paid) return this.toJson(paid, now);
    const after = (await repo.byId(this.db, refund.id))!;
    if (after.state === 'paid')
      throw new ConflictError('refund-already-paid', `refund ${after.id} for collection ${collectionId} was already paid (${after.paidAt?.toISOString()})`);
    throw new ConflictError(
      'refund-not-payable',
      `refund ${after.id} for collection ${collectionId} is ${refundStatusOf(after.state, after.expiresAt, now)}; it cannot be recorded as paid`,
    );
  }

  /** A typed refund reference (a till online): its token, like a voucher's. */
  async byReference(reference: string) {
    const row = await repo.byReference(this.db, reference);
    if (!row) return undefined;
    return { refund_id: row.id, token: row.token, status: refundStatusOf(row.state, row.expiresAt, this.clock.now()) };
  }
}
