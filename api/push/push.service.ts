/**
 * Push to the shopper's phone (docs/push.md).
 *
 * - The server's VAPID key pair is made once, kept in push_keys (the private half sealed by the
 *   key vault), and its public half is served at `GET /v1/push/key`.
 * - A phone subscribes with its PushSubscription and the signed tokens of the vouchers it holds;
 *   each token must verify, so a subscription only ever hears of vouchers the phone has.
 * - What to tell is queued in the outbox in the same transaction as its cause (voucher paid,
 *   refund issued) or by the worker (an open voucher expiring within 24 hours), one row per
 *   subscription, voucher, kind and refund (outbox_one_push). The worker sends it: the web-push
 *   library encrypts the message (RFC 8291) and signs the VAPID header (RFC 8292); the request goes
 *   out through the same checked, pinned transport as webhooks (api/webhooks/webhook-target.ts).
 *   A push service answering 404 or 410 has forgotten the subscription: it is deleted.
 */
import { and, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import webpush from 'web-push';
import type { PushMessage, PushSubscribeBody, PushSubscription } from '../../core/contract/push.ts';
import { base64UrlDecode } from '../../core/encoding/bytes.ts';
import { verifyVoucherToken } from '../../core/token/voucher-token.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import type { Clock } from '../clock.ts';
import type { Db, Tx } from '../db/client.ts';
import { outbox, pushKeys, pushSubscriptions, pushSubscriptionVouchers, refunds, vouchers } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import { merchantName } from '../network/network.repository.ts';
import type { KeyVault } from '../signing-keys/key-vault.ts';
import type { SigningKeys } from '../signing-keys/signing-keys.service.ts';
import { postToTarget } from '../webhooks/webhook-target.ts';
import { checkTargetUrl, type WebhookRules } from '../webhooks/webhooks.service.ts';
import { pushText } from './push-text.ts';

type OutboxRow = typeof outbox.$inferSelect;
export type PushKind = NonNullable<OutboxRow['pushKind']>;

/** How long a push service keeps a message for a phone that is off (seconds). */
const TTL_S = 24 * 3600;
/** "Expires in 24 hours": told once, when an open voucher has less than this left. */
export const EXPIRY_NOTICE_MS = 24 * 3600_000;

/**
 * Queues `kind` for every phone subscribed to the voucher, in the caller's transaction: at most
 * once per subscription, voucher, kind and refund, however often the cause is recorded.
 */
export async function queuePush(tx: Tx, q: PushCause & { now: Date }): Promise<void> {
  await queuePushes(tx, [q], q.now);
}

type PushCause = { voucherId: string; merchantId: string; kind: PushKind; refundId?: string | null };

/** Queues several causes as `queuePush` does, in one statement. */
export async function queuePushes(tx: Tx, causes: PushCause[], now: Date): Promise<void> {
  if (causes.length === 0) return;
  await tx.execute(sql`
    insert into outbox (id, kind, voucher_id, refund_id, merchant_id, created_at, next_attempt_at, push_subscription_id, push_kind)
    select 'obx_' || replace(gen_random_uuid()::text, '-', ''), 'push', c.voucher_id, c.refund_id, c.merchant_id, ${now}, ${now}, s.subscription_id, c.kind
    from unnest(${sql.param(causes.map((c) => c.voucherId))}::text[], ${sql.param(causes.map((c) => c.merchantId))}::text[],
                ${sql.param(causes.map((c) => c.kind))}::text[], ${sql.param(causes.map((c) => c.refundId ?? null))}::text[]) as c(voucher_id, merchant_id, kind, refund_id)
    join push_subscription_vouchers s on s.voucher_id = c.voucher_id
    on conflict do nothing`);
}

export class PushService {
  private keys?: { publicKey: string; privateKey: string };

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly vault: KeyVault,
    private readonly signing: SigningKeys,
    private readonly rules: WebhookRules,
    private readonly publicUrl: string,
  ) {}

  /** The VAPID key pair: made the first time (two processes at once agree on the one stored). */
  async vapid(): Promise<{ publicKey: string; privateKey: string }> {
    if (this.keys) return this.keys;
    let [row] = await this.db.select().from(pushKeys).where(eq(pushKeys.id, 1));
    if (!row) {
      const made = webpush.generateVAPIDKeys();
      await this.db
        .insert(pushKeys)
        .values({ id: 1, publicKey: made.publicKey, privateKey: await this.vault.seal(new TextEncoder().encode(made.privateKey)), createdAt: this.clock.now() })
        .onConflictDoNothing();
      [row] = await this.db.select().from(pushKeys).where(eq(pushKeys.id, 1));
    }
    this.keys = { publicKey: row!.publicKey, privateKey: new TextDecoder().decode(await this.vault.open(row!.privateKey, 0)) };
    return this.keys;
  }

  /** `POST /v1/push/subscriptions`: the phone's subscription, told about the vouchers whose tokens it holds (the list replaces an earlier one). */
  async subscribe(input: PushSubscribeBody): Promise<PushSubscription> {
    const endpoint = await checkTargetUrl(input.subscription.endpoint, this.rules, 'subscription.endpoint', 'a push service URL carries none');
    if (base64UrlDecode(input.subscription.keys.p256dh.replace(/=+$/, '')).length !== 65)
      throw new ValidationError('subscription.keys.p256dh is not an uncompressed P-256 public key (65 bytes)', [{ field: 'subscription.keys.p256dh', message: 'not 65 bytes' }]);
    if (base64UrlDecode(input.subscription.keys.auth.replace(/=+$/, '')).length !== 16)
      throw new ValidationError('subscription.keys.auth is not a 16-byte secret', [{ field: 'subscription.keys.auth', message: 'not 16 bytes' }]);
    const operatorKeys = await this.signing.verificationKeys();
    const voucherIds: string[] = [];
    for (const [i, token] of input.tokens.entries()) {
      const checked = await verifyVoucherToken(token, operatorKeys);
      if (!checked.ok) throw new ValidationError(`tokens.${i} does not verify (${checked.reason})`, [{ field: `tokens.${i}`, message: checked.reason }]);
      if (checked.claims.kind !== 'voucher') throw new ValidationError(`tokens.${i} is a refund; send the voucher's token`, [{ field: `tokens.${i}`, message: 'not a voucher' }]);
      voucherIds.push(voucherIdToString(checked.claims.voucherId));
    }
    const asked = [...new Set(voucherIds)];
    // A phone may still hold a voucher the server no longer keeps (test data goes after 30 days): left out, and said so.
    const held = new Set((await this.db.select({ id: vouchers.id }).from(vouchers).where(inArray(vouchers.id, asked))).map((v) => v.id));
    const unique = asked.filter((id) => held.has(id));
    const unknown = asked.filter((id) => !held.has(id));
    if (unique.length === 0) throw new NotFoundError('voucher', unknown[0]!);
    const locale = input.locale ?? 'en';
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(pushSubscriptions)
        .values({ id: newId('psb'), endpoint, p256dh: input.subscription.keys.p256dh, auth: input.subscription.keys.auth, locale, createdAt: now })
        .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { p256dh: input.subscription.keys.p256dh, auth: input.subscription.keys.auth, locale } })
        .returning({ id: pushSubscriptions.id });
      await tx.delete(pushSubscriptionVouchers).where(eq(pushSubscriptionVouchers.subscriptionId, row!.id));
      await tx.insert(pushSubscriptionVouchers).values(unique.map((voucherId) => ({ subscriptionId: row!.id, voucherId })));
    });
    return { object: 'push_subscription', voucher_ids: unique, unknown_voucher_ids: unknown, locale };
  }

  /** `DELETE /v1/push/subscriptions`: the phone turned notifications off. Knowing the endpoint is the credential (it is the phone's secret). */
  async unsubscribe(endpoint: string): Promise<void> {
    const gone = await this.db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)).returning({ id: pushSubscriptions.id });
    if (gone.length === 0) throw new NotFoundError('push subscription', endpoint.slice(0, 200));
  }

  /** The worker's pass: "expires in 24 hours" for each open voucher with a subscription and less than a day left. */
  async queueExpiring(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const due = await tx
        .selectDistinct({ id: vouchers.id, merchantId: vouchers.merchantId })
        .from(vouchers)
        .innerJoin(pushSubscriptionVouchers, eq(pushSubscriptionVouchers.voucherId, vouchers.id))
        .leftJoin(
          outbox,
          and(eq(outbox.kind, 'push'), eq(outbox.voucherId, vouchers.id), eq(outbox.pushKind, 'expiring'), eq(outbox.pushSubscriptionId, pushSubscriptionVouchers.subscriptionId)),
        )
        .where(and(eq(vouchers.status, 'open'), gt(vouchers.expiresAt, now), lte(vouchers.expiresAt, new Date(now.getTime() + EXPIRY_NOTICE_MS)), isNull(outbox.id)))
        .limit(500);
      await queuePushes(
        tx,
        due.map((v) => ({ voucherId: v.id, merchantId: v.merchantId, kind: 'expiring' as const })),
        now,
      );
      return due.length;
    });
  }

  /**
   * Sends one queued notification. 'sent' on a 2xx; 'gone' when the push service no longer knows
   * the subscription (404, 410: it is deleted, with what was queued for it); throws to retry.
   */
  async send(row: OutboxRow): Promise<'sent' | 'gone' | 'stale'> {
    const [sub] = await this.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, row.pushSubscriptionId!));
    if (!sub) return 'gone';
    const message = await this.message(row, sub.locale);
    if (!message) return 'stale';
    const { publicKey, privateKey } = await this.vapid();
    const details = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, JSON.stringify(message), {
      // The contact push services may use (RFC 8292 §2.1): the operator's site; a development server without HTTPS has none to give.
      vapidDetails: { subject: this.publicUrl.startsWith('https://') ? this.publicUrl : 'mailto:push@localhost', publicKey, privateKey },
      TTL: TTL_S,
      urgency: message.kind === 'expiring' ? 'normal' : 'high',
      contentEncoding: 'aes128gcm',
    });
    const answer = await postToTarget(new URL(sub.endpoint), {
      headers: { ...(details.headers as Record<string, string>), 'user-agent': 'Counterpay-Push/1' },
      body: details.body,
      timeoutMs: 10_000,
      policy: this.rules.targets,
      lookup: this.rules.lookup,
    });
    if (answer.status === 404 || answer.status === 410) {
      await this.db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, sub.id));
      return 'gone';
    }
    if (answer.status < 200 || answer.status >= 300) throw Object.assign(new Error(`the push service answered HTTP ${answer.status}`), { status: answer.status });
    return 'sent';
  }

  /** What the notification says, in the phone's language; null when there is nothing true left to say (the voucher or refund is gone). */
  private async message(row: OutboxRow, locale: 'en' | 'zh'): Promise<PushMessage | null> {
    const [v] = await this.db.select().from(vouchers).where(eq(vouchers.id, row.voucherId!));
    if (!v) return null;
    const shop = await merchantName(this.db, v.merchantId);
    const url = `/vouchers/${encodeURIComponent(v.id)}`;
    if (row.pushKind === 'refund') {
      const [r] = await this.db.select().from(refunds).where(eq(refunds.id, row.refundId!));
      if (!r) return null;
      return {
        kind: 'refund',
        ...pushText(locale, 'refund', { shop, amount: r.amount, currency: r.currency, order: v.orderRef }),
        url: `${url}?refund=${encodeURIComponent(r.id)}`,
        voucher_id: v.id,
        refund_id: r.id,
        locale,
      };
    }
    const kind = row.pushKind ?? 'paid';
    return { kind, ...pushText(locale, kind, { shop, amount: v.amount, currency: v.currency, order: v.orderRef }), url, voucher_id: v.id, locale };
  }
}
