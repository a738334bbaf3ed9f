/**
 * Voucher rules: creation (sign the token, derive reference and links), reading with the expiry
 * rule applied, listing, and the guarded cancel. Knows nothing of HTTP.
 */
import { itemSummary, summaryBudget, truncateUtf8, MERCHANT_DISPLAY_MAX_BYTES, voucherQrText } from '../../../core/token/limits.ts';
import { signVoucherToken, verifyVoucherToken } from '../../../core/token/voucher-token.ts';
import { referenceForVoucherId } from '../../../core/reference/reference.ts';
import { newVoucherIdBytes, voucherIdToString } from '../../../core/vouchers/voucher-id.ts';
import { effectiveStatus } from '../../../core/vouchers/voucher-status.ts';
import { refundStatusOf } from '../../../core/refunds/refund-status.ts';
import { DEFAULT_EXPIRES_IN_SECONDS, MAX_EXPIRES_IN_SECONDS, MIN_EXPIRES_IN_SECONDS } from '../../../core/vouchers/expiry.ts';
import type { Clock } from '../../clock.ts';
import type { Db, Tx } from '../../db/client.ts';
import { NotFoundError, ValidationError, VoucherNotOpenError } from '../../errors.ts';
import { newLinkCode } from '../../ids.ts';
import { liveMerchantId } from '../../network/network.repository.ts';
import { queueVoucherMessages, recordEvent } from '../../outbox/events.ts';
import type { SigningKeys } from '../../signing-keys/signing-keys.service.ts';
import { vouchersRepository as repo, type VoucherRow } from './vouchers.repository.ts';
import {
  NOTIFY_CHANNELS,
  TIMELINE_KINDS,
  type TimelineEntry,
  type VoucherTimeline,
  type NotifyChannel,
  type CreateVoucherBody,
  type ListVouchersQuery,
  type Voucher,
  type VoucherDelivery,
  type VoucherList,
} from '../../../core/contract/vouchers.ts';
import { LINK_CODE, type TokenStatus, type VoucherLink } from '../../../core/contract/voucher-link.ts';
import type { ByReference } from '../../../core/contract/till.ts';
import type { RefundForShopper } from '../../../core/contract/voucher-link.ts';
import { refundForShopper } from '../../refunds/refund-json.ts';
import { refundsRepository } from '../../refunds/refunds.repository.ts';

export interface MerchantRef {
  id: string;
  name: string;
  /** False for a merchant's test mode (a `cpk_test_` key): what it creates is test-mode data. */
  livemode: boolean;
  /** Channels used when a request does not say (`notify`); as of the API-key lookup. */
  defaultNotify?: NotifyChannel[];
}

const ATTEMPTS = 5;

export class VouchersService {
  private readonly summaryBytes: number;

  constructor(
    private readonly db: Db,
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly merchantNames: (merchantId: string) => Promise<string>,
  ) {
    this.summaryBytes = summaryBudget(publicUrl);
  }

  async create(merchant: MerchantRef, input: CreateVoucherBody, tx: Tx): Promise<Voucher> {
    const now = this.clock.now();
    const expiresAt = this.expiryFor(input, now);
    const items = input.items ?? [];
    const signer = await this.keys.signer(tx);
    // The reference is derived from the random id; on the rare clash of id, reference or link
    // code the insert does nothing and a fresh id is drawn.
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const idBytes = newVoucherIdBytes();
      const token = await signVoucherToken(
        {
          kid: signer.kid,
          voucherId: idBytes,
          amount: input.amount,
          currency: input.currency,
          expiresAt: Math.floor(expiresAt.getTime() / 1000),
          merchant: truncateUtf8(merchant.name, MERCHANT_DISPLAY_MAX_BYTES),
          orderRef: input.order_ref,
          summary: itemSummary(items, this.summaryBytes),
          test: !merchant.livemode,
        },
        signer.sign,
      );
      const row: VoucherRow = {
        id: voucherIdToString(idBytes),
        merchantId: merchant.id,
        status: 'open',
        livemode: merchant.livemode,
        orderRef: input.order_ref,
        amount: input.amount,
        currency: input.currency,
        items,
        description: input.description ?? null,
        customer: input.customer ?? null,
        metadata: input.metadata ?? {},
        reference: referenceForVoucherId(idBytes),
        linkCode: newLinkCode(),
        token,
        kid: signer.kid,
        expiresAt,
        createdAt: now,
        paidAt: null,
        canceledAt: null,
        paidCollectionId: null,
        paidStoreId: null,
        statusChangedAt: null,
      };
      if (await repo.insert(tx, row)) {
        const channels = this.channelsFor(merchant, input);
        await queueVoucherMessages(tx, { merchantId: merchant.id, voucherId: row.id, channels, now });
        return this.toJson(row, merchant, now);
      }
    }
    throw new Error(`no free voucher id after ${ATTEMPTS} attempts`);
  }

  async get(merchant: MerchantRef, id: string): Promise<Voucher> {
    const row = await repo.byId(this.db, merchant.id, id);
    if (!row) throw new NotFoundError('voucher', id);
    return this.toJson(row, merchant, this.clock.now());
  }

  /** Everything that happened to the voucher, oldest first (the console's voucher page). */
  async timeline(merchant: MerchantRef, id: string): Promise<VoucherTimeline> {
    const row = await repo.byId(this.db, merchant.id, id);
    if (!row) throw new NotFoundError('voucher', id);
    const facts = await repo.timelineFacts(this.db, merchant.id, id);
    const now = this.clock.now();
    const blank = {
      status: null,
      channel: null,
      store_id: null,
      device_id: null,
      amount: null,
      event_type: null,
      endpoint_url: null,
      delivery_id: null,
      attempts: null,
      last_status: null,
      detail: null,
      refund_id: null,
    };
    const state = (d: { deliveredAt: Date | null; gaveUpAt: Date | null }) => (d.deliveredAt ? 'delivered' : d.gaveUpAt ? 'failed' : 'pending');
    const entries: TimelineEntry[] = [{ ...blank, at: row.createdAt.toISOString(), kind: 'created', amount: row.amount }];
    for (const m of facts.messages)
      entries.push({
        ...blank,
        at: (m.deliveredAt ?? m.gaveUpAt ?? m.createdAt).toISOString(),
        kind: 'message',
        status: state(m),
        channel: m.kind,
        attempts: m.attempts,
        detail: m.lastError,
        refund_id: m.refundId,
      });
    for (const c of facts.collected)
      entries.push({
        ...blank,
        at: c.collectedAt.toISOString(),
        kind: 'collection',
        status: c.outcome,
        store_id: c.storeId,
        device_id: c.deviceId,
        amount: c.amount,
        detail: c.detail,
      });
    for (const d of facts.deliveries)
      entries.push({
        ...blank,
        at: (d.deliveredAt ?? d.gaveUpAt ?? d.createdAt).toISOString(),
        kind: 'webhook',
        status: state(d),
        event_type: d.type,
        endpoint_url: d.url,
        delivery_id: d.id,
        attempts: d.attempts,
        last_status: d.lastStatus,
        detail: d.lastError,
      });
    for (const r of facts.refunds) {
      entries.push({ ...blank, at: r.createdAt.toISOString(), kind: 'refund', status: r.state, amount: r.amount, refund_id: r.id, detail: r.reason });
      if (r.paidAt)
        entries.push({ ...blank, at: r.paidAt.toISOString(), kind: 'refund_paid', amount: r.amount, refund_id: r.id, store_id: r.paidStoreId, device_id: r.paidDeviceId });
    }
    if (row.canceledAt) entries.push({ ...blank, at: row.canceledAt.toISOString(), kind: 'canceled' });
    if (effectiveStatus(row.status, row.expiresAt, now) === 'expired') entries.push({ ...blank, at: row.expiresAt.toISOString(), kind: 'expired' });
    // Oldest first; at the same instant, in the order things happen (a stable sort keeps the rest).
    const order = new Map(TIMELINE_KINDS.map((k, i) => [k, i]));
    entries.sort((a, b) => a.at.localeCompare(b.at) || order.get(a.kind)! - order.get(b.kind)!);
    return { object: 'voucher_timeline', voucher_id: id, entries };
  }

  async list(merchant: MerchantRef, q: ListVouchersQuery): Promise<VoucherList> {
    const now = this.clock.now();
    let after: VoucherRow | undefined;
    if (q.starting_after !== undefined) {
      after = await repo.byId(this.db, merchant.id, q.starting_after);
      if (!after)
        throw new ValidationError(`starting_after names no voucher of yours: ${JSON.stringify(q.starting_after)}`, [{ field: 'starting_after', message: 'no such voucher' }]);
    }
    if (q.created_from && q.created_to && q.created_from > q.created_to)
      throw new ValidationError(`created_from (${q.created_from}) is after created_to (${q.created_to})`, [{ field: 'created_from', message: 'after created_to' }]);
    const rows = await repo.list(this.db, merchant.id, {
      status: q.status,
      limit: q.limit + 1,
      after,
      now,
      search: q.q,
      createdFrom: q.created_from ? new Date(`${q.created_from}T00:00:00Z`) : undefined,
      // The whole day created_to names: up to the next midnight (UTC).
      createdBefore: q.created_to ? new Date(Date.parse(`${q.created_to}T00:00:00Z`) + 86_400_000) : undefined,
    });
    return { object: 'list' as const, data: rows.slice(0, q.limit).map((r) => this.toJson(r, merchant, now)), has_more: rows.length > q.limit };
  }

  /** The channels a new voucher goes out on: the request's, or the merchant's default for the contacts given. */
  private channelsFor(merchant: MerchantRef, input: CreateVoucherBody): NotifyChannel[] {
    const wanted = input.notify ?? (merchant.defaultNotify ?? []).filter((c) => (c === 'email' ? input.customer?.email : input.customer?.phone));
    return [...new Set(wanted)];
  }

  /** Does this request need a transaction even without an Idempotency-Key (it queues messages)? */
  needsTransaction(merchant: MerchantRef, input: CreateVoucherBody): boolean {
    return this.channelsFor(merchant, input).length > 0;
  }

  /** Sends the voucher to the shopper again, through the outbox. */
  async resend(merchant: MerchantRef, id: string, channels?: NotifyChannel[]): Promise<VoucherDelivery> {
    const now = this.clock.now();
    const row = await repo.byId(this.db, merchant.id, id);
    if (!row) throw new NotFoundError('voucher', id);
    const status = effectiveStatus(row.status, row.expiresAt, now);
    if (status !== 'open') throw new VoucherNotOpenError(id, status, 'resent');
    const available = NOTIFY_CHANNELS.filter((c) => (c === 'email' ? row.customer?.email : row.customer?.phone));
    const wanted = channels ?? available;
    const missing = wanted.filter((c) => !available.includes(c));
    if (missing.length > 0 || wanted.length === 0) {
      throw new ValidationError(
        wanted.length === 0
          ? 'the voucher has no customer e-mail or phone to send to'
          : `the voucher has no customer ${missing.map((c) => (c === 'email' ? 'email' : 'phone')).join(' or ')} to send ${missing.join(' or ')} to`,
        [{ field: 'notify', message: 'no contact for this channel' }],
      );
    }
    await this.db.transaction((tx) => queueVoucherMessages(tx, { merchantId: merchant.id, voucherId: id, channels: [...new Set(wanted)], now }));
    return { object: 'voucher_delivery' as const, voucher_id: id, queued: [...new Set(wanted)] };
  }

  async cancel(merchant: MerchantRef, id: string): Promise<Voucher> {
    const now = this.clock.now();
    const row = await this.db.transaction(async (tx) => {
      const canceled = await repo.cancel(tx, merchant.id, id, now);
      if (canceled) await recordEvent(tx, { merchantId: merchant.id, type: 'voucher.canceled', data: { object: this.toJson(canceled, merchant, now) }, now });
      return canceled;
    });
    if (row) return this.toJson(row, merchant, now);
    const existing = await repo.byId(this.db, merchant.id, id);
    if (!existing) throw new NotFoundError('voucher', id);
    throw new VoucherNotOpenError(id, effectiveStatus(existing.status, existing.expiresAt, now));
  }

  /** The shopper's short link: whoever holds the code may see the voucher. */
  async byLinkCode(code: string): Promise<VoucherLink> {
    const row = LINK_CODE.test(code) ? await repo.byLinkCode(this.db, code) : undefined;
    if (!row) throw new NotFoundError('voucher link', code);
    const now = this.clock.now();
    const refunds = await this.refundsOf([row.id], now);
    return {
      object: 'voucher_link',
      voucher_id: row.id,
      status: effectiveStatus(row.status, row.expiresAt, now),
      merchant: { name: await this.merchantNames(row.merchantId) },
      order_ref: row.orderRef,
      amount: row.amount,
      currency: row.currency,
      items: row.items,
      reference: row.reference,
      token: row.token,
      qr: voucherQrText(this.publicUrl, row.token),
      expires_at: row.expiresAt.toISOString(),
      paid_at: row.paidAt?.toISOString() ?? null,
      canceled_at: row.canceledAt?.toISOString() ?? null,
      refunds: refunds.get(row.id) ?? [],
    };
  }

  /** What a shopper holding these vouchers may see of their refunds, by voucher id, newest first. */
  private async refundsOf(voucherIds: string[], now: Date): Promise<Map<string, RefundForShopper[]>> {
    const byVoucher = new Map<string, RefundForShopper[]>();
    for (const r of await refundsRepository.ofVouchers(this.db, voucherIds)) {
      byVoucher.set(r.voucherId, [...(byVoucher.get(r.voucherId) ?? []), refundForShopper(r, this.publicUrl, now)]);
    }
    return byVoucher;
  }

  /** A typed reference's voucher or refund, for a till online (core/contract/till.ts ByReference). */
  async byReference(reference: string): Promise<ByReference> {
    const row = await repo.byReference(this.db, reference);
    if (row) return { voucher_id: row.id, token: row.token, status: effectiveStatus(row.status, row.expiresAt, this.clock.now()) };
    const refund = await refundsRepository.byReference(this.db, reference);
    if (!refund) throw new NotFoundError('voucher or refund with reference', reference);
    return { refund_id: refund.id, token: refund.token, status: refundStatusOf(refund.state, refund.expiresAt, this.clock.now()) };
  }

  /**
   * Current status for tokens the caller holds. A token is its own proof of possession: only one
   * that verifies against the operator keys is answered, and only about its own voucher.
   */
  async statusForTokens(tokens: string[]): Promise<TokenStatus[]> {
    const keys = await this.keys.verificationKeys();
    const checks = await Promise.all(tokens.map((t) => verifyVoucherToken(t, keys)));
    const ids = checks.map((c) => (c.ok ? voucherIdToString(c.claims.voucherId) : null));
    const rows = new Map(
      (
        await repo.byIds(
          this.db,
          ids.filter((id): id is string => id !== null),
        )
      ).map((r) => [r.id, r]),
    );
    const now = this.clock.now();
    const refunds = await this.refundsOf([...rows.keys()], now);
    return ids.map((id, i) => {
      const row = id ? rows.get(id) : undefined;
      // A verified token for a voucher we do not have cannot happen unless data was lost; say invalid rather than guess.
      if (!row || row.token !== tokens[i]) return { error: 'invalid_token' as const };
      return {
        voucher_id: row.id,
        status: effectiveStatus(row.status, row.expiresAt, now),
        paid_at: row.paidAt?.toISOString() ?? null,
        canceled_at: row.canceledAt?.toISOString() ?? null,
        refunds: refunds.get(row.id) ?? [],
      };
    });
  }

  private expiryFor(input: CreateVoucherBody, now: Date): Date {
    if (input.expires_at === undefined) {
      return new Date(now.getTime() + (input.expires_in ?? DEFAULT_EXPIRES_IN_SECONDS) * 1000);
    }
    // Tokens carry whole seconds; round down so the token and the record agree.
    const at = new Date(Math.floor(Date.parse(input.expires_at) / 1000) * 1000);
    const seconds = (at.getTime() - now.getTime()) / 1000;
    if (seconds < MIN_EXPIRES_IN_SECONDS || seconds > MAX_EXPIRES_IN_SECONDS) {
      throw new ValidationError(`expires_at must be between 15 minutes and 60 days from now (${now.toISOString()}); got ${input.expires_at}`, [
        { field: 'expires_at', message: 'must be between 15 minutes and 60 days from now' },
      ]);
    }
    return at;
  }

  toJson(row: VoucherRow, merchant: { name: string }, now: Date): Voucher {
    return {
      id: row.id,
      object: 'voucher',
      livemode: row.livemode,
      status: effectiveStatus(row.status, row.expiresAt, now),
      order_ref: row.orderRef,
      amount: row.amount,
      currency: row.currency,
      items: row.items,
      description: row.description,
      customer: row.customer,
      metadata: row.metadata,
      merchant: { id: liveMerchantId(row), name: merchant.name },
      reference: row.reference,
      token: row.token,
      qr: voucherQrText(this.publicUrl, row.token),
      voucher_url: `${this.publicUrl}/v/${row.linkCode}`,
      expires_at: row.expiresAt.toISOString(),
      created_at: row.createdAt.toISOString(),
      paid_at: row.paidAt?.toISOString() ?? null,
      canceled_at: row.canceledAt?.toISOString() ?? null,
    };
  }
}
