/**
 * The built-in test till (docs/test-mode.md): what a merchant's developer needs to see a test-mode
 * voucher paid, refunded or expired without a store, a till or cash.
 *
 * Each test-mode merchant has a test store per currency (stores.test_merchant_id; never listed,
 * never enrolled into, never settled). Each helper call enrols a till there with a fresh P-256 key,
 * signs real records with it (collection record v2 naming a proven server time, or a payout under a
 * real grant) and hands them to CollectionsService.ingest, the path every till's sync takes. So
 * the outcome, the events, the webhooks, the e-mail and SMS and the refunds are exactly those of
 * live mode; only the ledger stays untouched (test-mode money is never posted). The key is
 * dropped when the call ends: nobody can sign for that till again.
 */
import { and, eq, gt, sql } from 'drizzle-orm';
import { generateDeviceKeyPair, GENESIS_HASH, recordHash, signCollection, signPayout, type SignedCollection } from '../../core/collections/collection-record.ts';
import { signServerTime } from '../../core/collections/server-time.ts';
import type { CollectionAnswer, JournalRecord } from '../../core/contract/till.ts';
import type { Refund } from '../../core/contract/refunds.ts';
import type { TestCollectBody, TestCollection } from '../../core/contract/test-helpers.ts';
import { base32Encode, randomBytes } from '../../core/encoding/bytes.ts';
import { effectiveStatus } from '../../core/vouchers/voucher-status.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { devices, stores, vouchers } from '../db/schema.ts';
import { ConflictError, NotFoundError, TestModeOnlyError, VoucherNotOpenError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MerchantRef, VouchersService } from '../merchant-api/vouchers/vouchers.service.ts';
import { vouchersRepository } from '../merchant-api/vouchers/vouchers.repository.ts';
import { recordEvent } from '../outbox/events.ts';
import { refundsRepository } from '../refunds/refunds.repository.ts';
import type { RefundsService } from '../refunds/refunds.service.ts';
import type { SigningKeys } from '../signing-keys/signing-keys.service.ts';
import type { CollectionsService } from '../till-api/collections.service.ts';
import type { DeviceRow, StoreRow } from '../till-api/devices.repository.ts';

/** A till enrolled for one helper call, and what it needs to sign a chain of records. */
interface CallTill {
  device: DeviceRow;
  store: StoreRow;
  privateKey: CryptoKey;
  seq: number;
  prevHash: string;
}

export class TestTills {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keys: SigningKeys,
    private readonly collections: CollectionsService,
    private readonly refunds: RefundsService,
    private readonly vouchers: VouchersService,
  ) {}

  /** `POST /v1/test_helpers/vouchers/{id}/collect`: the test till collects the voucher with the outcome asked for. */
  async collect(merchant: MerchantRef, voucherId: string, input: TestCollectBody): Promise<TestCollection> {
    testModeOnly(merchant);
    const voucher = await vouchersRepository.byId(this.db, merchant.id, voucherId);
    if (!voucher) throw new NotFoundError('voucher', voucherId);
    const now = this.clock.now();
    const status = effectiveStatus(voucher.status, voucher.expiresAt, now);
    const tender = input.tender ?? 'cash';
    const amount = input.outcome === 'mismatch' ? (voucher.amount > 1 ? voucher.amount - 1 : voucher.amount + 1) : voucher.amount;
    let times = 1;
    switch (input.outcome) {
      case 'accepted':
      case 'mismatch':
        if (status !== 'open') throw new VoucherNotOpenError(voucherId, status, 'collected');
        break;
      case 'duplicate':
        if (status !== 'open' && status !== 'paid') throw new ConflictError('voucher-not-open', `voucher ${voucherId} is ${status}; a duplicate needs an open or a paid voucher`);
        if (status === 'open') times = 2;
        break;
      case 'late':
        if (status === 'paid' || status === 'canceled')
          throw new ConflictError('voucher-not-open', `voucher ${voucherId} is ${status}; a late collection needs an open or an expired voucher`);
        // Past its expiry a second ago, so that a collection now is late (the worker turns it expired).
        await this.db
          .update(vouchers)
          .set({ expiresAt: new Date(now.getTime() - 1000) })
          .where(and(eq(vouchers.id, voucherId), eq(vouchers.status, 'open'), gt(vouchers.expiresAt, new Date(now.getTime() - 1000))));
        break;
    }
    const till = await this.enrol(merchant.id, voucher.currency);
    const records: JournalRecord[] = [];
    for (let i = 0; i < times; i++) records.push(await this.collection(till, voucher.token, amount, voucher.currency, tender));
    const answers = await this.collections.ingest(till.device, till.store, records);
    return {
      object: 'test_collection',
      collections: await Promise.all(answers.map((a) => this.result(a))),
      voucher: await this.vouchers.get(merchant, voucherId),
    };
  }

  /** `POST /v1/test_helpers/vouchers/{id}/expire`: the voucher's expiry is now, and it is expired (with voucher.expired). */
  async expire(merchant: MerchantRef, voucherId: string) {
    testModeOnly(merchant);
    const now = this.clock.now();
    const expired = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(vouchers)
        .set({ status: 'expired', expiresAt: sql`least(${vouchers.expiresAt}, ${now})`, statusChangedAt: now })
        .where(and(eq(vouchers.id, voucherId), eq(vouchers.merchantId, merchant.id), eq(vouchers.status, 'open')))
        .returning({ id: vouchers.id });
      if (row) await recordEvent(tx, { merchantId: merchant.id, type: 'voucher.expired', data: { object: { object: 'voucher', id: row.id, status: 'expired' } }, now });
      return row !== undefined;
    });
    const voucher = await this.vouchers.get(merchant, voucherId);
    if (!expired) throw new VoucherNotOpenError(voucherId, voucher.status, 'expired');
    return voucher;
  }

  /** `POST /v1/test_helpers/refunds/{id}/pay_out`: the test till asks for the payout grant, hands the cash over and journals it. */
  async payOut(merchant: MerchantRef, refundId: string): Promise<Refund> {
    testModeOnly(merchant);
    const refund = await refundsRepository.byId(this.db, refundId, merchant.id);
    if (!refund) throw new NotFoundError('refund', refundId);
    const till = await this.enrol(merchant.id, refund.currency);
    // The same refusals a real till hears (already paid, canceled, expired) come from the grant.
    const grant = await this.refunds.authorize(till.device, till.store, { token: refund.token, code: refund.payoutCode });
    till.seq += 1;
    const record = await signPayout(
      {
        type: 'payout',
        v: 1,
        id: crypto.randomUUID(),
        device_id: till.device.id,
        seq: till.seq,
        prev_hash: till.prevHash,
        token: refund.token,
        authorization_id: grant.id,
        amount: grant.amount,
        currency: grant.currency,
        paid_at: this.clock.now().toISOString(),
        server_time: grant.server_time,
        server_time_proof: grant.server_time_proof,
      },
      till.privateKey,
    );
    const [answer] = await this.collections.ingest(till.device, till.store, [record]);
    if (answer?.outcome !== 'accepted') throw new ConflictError('refund-not-payable', answer?.detail ?? `refund ${refundId} was not paid out`);
    return this.refunds.get(merchant, refundId);
  }

  /** The merchant's test store for the currency (made the first time), and a till enrolled there for this call. */
  private async enrol(merchantId: string, currency: string): Promise<CallTill> {
    await this.db
      .insert(stores)
      .values({ id: newId('sto'), name: 'Counterpay test till', currency, testMerchantId: merchantId })
      .onConflictDoNothing();
    const [store] = await this.db
      .select()
      .from(stores)
      .where(and(eq(stores.testMerchantId, merchantId), eq(stores.currency, currency)));
    const keys = await generateDeviceKeyPair();
    const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const [device] = await this.db
      .insert(devices)
      .values({
        id: newId('dev'),
        storeId: store!.id,
        name: 'Test till',
        publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! },
        // No credential hashes to this (random bytes, not a SHA-256 of anything): the till is driven from here only.
        credentialHash: `test:${base32Encode(randomBytes(32))}`,
        enrolledAt: this.clock.now(),
      })
      .returning();
    return { device: device!, store: store!, privateKey: keys.privateKey, seq: 0, prevHash: GENESIS_HASH };
  }

  /** The till's next collection record: version 2, naming the server time it was just given. */
  private async collection(till: CallTill, token: string, amount: number, currency: string, tender: SignedCollection['tender']): Promise<SignedCollection> {
    const at = this.clock.now().toISOString();
    till.seq += 1;
    const signed = await signCollection(
      {
        v: 2,
        id: crypto.randomUUID(),
        device_id: till.device.id,
        seq: till.seq,
        prev_hash: till.prevHash,
        token,
        amount,
        currency,
        tender,
        tender_reference: tender === 'cash' ? null : 'TEST-0001',
        collected_at: at,
        server_time: at,
        server_time_proof: await signServerTime(till.device.id, at, await this.keys.signer()),
      },
      till.privateKey,
    );
    till.prevHash = await recordHash(signed);
    return signed;
  }

  private async result(a: CollectionAnswer) {
    const refund = a.id && a.outcome !== 'accepted' && a.outcome !== 'rejected' ? await refundsRepository.byCollection(this.db, a.id) : undefined;
    return { id: a.id ?? '', outcome: a.outcome, detail: a.detail, refund_id: refund?.id ?? null };
  }
}

function testModeOnly(merchant: MerchantRef): void {
  if (merchant.livemode) throw new TestModeOnlyError();
}
