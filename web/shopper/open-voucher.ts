/**
 * Opening a voucher from the two kinds of URL a shopper receives, and saving it on the phone.
 *
 *   /V/<token digits>  the QR itself: the token travels inline and is verified offline.
 *   /v/<link code>     the short link from an SMS: resolved online once, then verified the same way.
 *                      `?refund=<id>` (a refund's `refund_url`) names the refund to show (refunds.ts).
 *
 * Nothing is stored unless the token's signature verifies against an operator key.
 */
import { decodeVoucherToken, SIGNATURE_BYTES, VOUCHER_ID_BYTES } from '../../core/token/voucher-token.ts';
import { digitsToBytes } from '../../core/token/digits.ts';
import { voucherQrText } from '../../core/token/limits.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import type { HttpResult } from '../app/http.ts';
import { newVoucherRecord, type VoucherRecord } from '../offline/records.ts';
import { verifyToken, type KeySource } from '../offline/verify.ts';
import type { VoucherLink } from '../../core/contract/voucher-link.ts';
import { voucherFromRecord, type SavedVoucher } from './voucher.ts';
import { acceptedRefunds } from './refunds.ts';
import { canceledBeforeOpened } from './glance.ts';

export type OpenRefusalReason =
  /** The digits are not a Counterpay token: cut short when copied, or not ours at all. */
  | 'malformed'
  /** A token format or algorithm newer than this app; an app update fixes it. */
  | 'unsupported'
  /** Signed by a key the operator does not publish (forged, or a withdrawn key). */
  | 'unknown_key'
  /** The token was changed after it was signed. */
  | 'bad_signature'
  /** First use of the app while offline: there are no keys to check the signature with. */
  | 'keys_unavailable'
  /** The server does not know this short link (mistyped, or never issued). */
  | 'link_not_found'
  /** A short link is resolved online; this one was never opened on this phone and it is offline. */
  | 'link_offline'
  /** The server answered the short link with an error or with something this app cannot read. */
  | 'link_failed'
  /** The short link's answer does not match the token it carries; treated as tampering. */
  | 'link_mismatch'
  /** The QR of a refund (from the refund's e-mail), not of a voucher: it is shown at the till, not saved. */
  | 'refund_token';

/** The smallest version-1 token: one-byte fields, empty texts, the signature. */
const MIN_TOKEN_BYTES = 2 + 1 + VOUCHER_ID_BYTES + 1 + 2 + 4 + 3 + SIGNATURE_BYTES;

/** `saved`: false for a voucher shown but not kept on the phone (canceled before it was first opened, glance.ts). */
export type OpenResult = { ok: true; voucher: SavedVoucher; saved: boolean } | { ok: false; reason: OpenRefusalReason; detail: string };

export interface OpenDeps {
  keys: KeySource;
  getRecord(id: string): Promise<VoucherRecord | null>;
  getRecordByLinkCode(code: string): Promise<VoucherRecord | null>;
  putRecord(record: VoucherRecord): Promise<void>;
  fetchLink(code: string): Promise<HttpResult<VoucherLink>>;
  now(): number;
}

/** Opens `/V/<token>`; `origin` is the page's origin, from which the QR text is rebuilt. */
export async function openInlineToken(token: string, origin: string, deps: OpenDeps): Promise<OpenResult> {
  const decoded = decodeVoucherToken(token);
  if (!decoded.ok) return refusal(token, decoded);
  // A refund is paid out, never paid: its QR (in the refund's e-mail) is not saved as a voucher.
  if (decoded.claims.kind === 'refund') return { ok: false, reason: 'refund_token', detail: 'the QR of a refund, not of a voucher' };
  const id = voucherIdToString(decoded.claims.voucherId);
  const existing = await deps.getRecord(id);
  // The very same token was verified when it was saved: no need for keys (a fast, offline reopen).
  if (existing && existing.token === token) return shown(existing);

  const check = await verifyToken(token, deps.keys);
  if (!check.ok) return refusal(token, check);
  return save(newVoucherRecord({ id, token, qr: voucherQrText(origin, token), savedAt: deps.now() }), existing, deps);
}

/** Opens `/v/<code>`: from the phone when it was opened before, else from the server. */
export async function openLinkCode(code: string, online: boolean, deps: OpenDeps): Promise<OpenResult> {
  const existing = await deps.getRecordByLinkCode(code);
  if (existing) return shown(existing);
  if (!online) return { ok: false, reason: 'link_offline', detail: 'short link not saved on this phone and no network' };

  const answer = await deps.fetchLink(code);
  if (!answer.ok) {
    if (answer.reason === 'status' && answer.status === 404) return { ok: false, reason: 'link_not_found', detail: answer.detail };
    if (answer.reason === 'network') return { ok: false, reason: 'link_offline', detail: 'the server could not be reached' };
    return { ok: false, reason: 'link_failed', detail: answer.reason === 'status' ? `${answer.status}: ${answer.detail}` : answer.detail };
  }
  const link = answer.data;
  const check = await verifyToken(link.token, deps.keys);
  if (!check.ok) return refusal(link.token, check);
  const id = voucherIdToString(check.claims.voucherId);
  // The QR must carry exactly this token, and the answer must describe this voucher.
  if (link.voucher_id !== id || !link.qr.endsWith(`/V/${link.token}`)) {
    return { ok: false, reason: 'link_mismatch', detail: `link answer for ${link.voucher_id} does not match its token (${id})` };
  }
  return save(
    {
      id,
      token: link.token,
      qr: link.qr,
      items: link.items,
      merchantName: link.merchant.name,
      linkCode: code,
      status: link.status,
      paidAt: link.paid_at,
      canceledAt: link.canceled_at,
      refunds: acceptedRefunds(link.refunds),
      statusCheckedAt: deps.now(),
      savedAt: deps.now(),
      stores: null,
    },
    await deps.getRecord(id),
    deps,
  );
}

/**
 * Saves a freshly verified voucher, keeping what the phone already knew about it. One the shop
 * canceled before this phone first had it is shown, not saved: there is nothing to keep it for.
 */
async function save(fresh: VoucherRecord, existing: VoucherRecord | null, deps: OpenDeps): Promise<OpenResult> {
  if (!existing && canceledBeforeOpened(fresh)) return shown(fresh, false);
  const record: VoucherRecord = existing
    ? {
        ...fresh,
        items: fresh.items ?? existing.items,
        merchantName: fresh.merchantName ?? existing.merchantName,
        linkCode: fresh.linkCode ?? existing.linkCode,
        // A server answer in hand wins; otherwise keep the last one the phone had.
        ...(fresh.statusCheckedAt === null
          ? { status: existing.status, paidAt: existing.paidAt, canceledAt: existing.canceledAt, refunds: existing.refunds, statusCheckedAt: existing.statusCheckedAt }
          : {}),
        savedAt: existing.savedAt,
        stores: existing.stores,
      }
    : fresh;
  await deps.putRecord(record);
  return shown(record);
}

/**
 * "Made by a newer version" is only a fair thing to tell the shopper about something the size of
 * a token; a few stray digits whose first byte happens not to be our version are just malformed.
 */
function refusal(token: string, failed: { reason: OpenRefusalReason; detail: string }): OpenResult {
  const bytes = digitsToBytes(token)?.length ?? 0;
  if (failed.reason === 'unsupported' && bytes < MIN_TOKEN_BYTES) return { ok: false, reason: 'malformed', detail: failed.detail };
  return { ok: false, reason: failed.reason, detail: failed.detail };
}

function shown(record: VoucherRecord, saved = true): OpenResult {
  const voucher = voucherFromRecord(record);
  if (!voucher) return { ok: false, reason: 'malformed', detail: 'the saved token no longer decodes' };
  return { ok: true, voucher, saved };
}
