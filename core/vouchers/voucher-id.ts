/**
 * Public voucher ids: `vch_` and the Crockford Base32 of the 8 random bytes the token carries;
 * refunds, whose tokens carry 8 bytes the same way, are `rfd_…`.
 */
import { base32Decode, base32Encode, randomBytes } from '../encoding/bytes.ts';
import { VOUCHER_ID_BYTES, type TokenKind } from '../token/voucher-token.ts';

export const VOUCHER_ID_PREFIX = 'vch_';
export const REFUND_ID_PREFIX = 'rfd_';

export function newVoucherIdBytes(): Uint8Array {
  return randomBytes(VOUCHER_ID_BYTES);
}

export function voucherIdToString(bytes: Uint8Array): string {
  return VOUCHER_ID_PREFIX + base32Encode(bytes);
}

/** The 8 bytes behind a `vch_…` id, or null when the text is not one. */
export function parseVoucherId(id: string): Uint8Array | null {
  if (!id.startsWith(VOUCHER_ID_PREFIX)) return null;
  return base32Decode(id.slice(VOUCHER_ID_PREFIX.length), VOUCHER_ID_BYTES);
}

export function refundIdToString(bytes: Uint8Array): string {
  return REFUND_ID_PREFIX + base32Encode(bytes);
}

/** The public id of what a token is for: `vch_…` for a voucher, `rfd_…` for a refund. */
export function tokenObjectId(kind: TokenKind, bytes: Uint8Array): string {
  return kind === 'refund' ? refundIdToString(bytes) : voucherIdToString(bytes);
}
