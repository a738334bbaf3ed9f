/** Public voucher ids: `vch_` and the Crockford Base32 of the 8 random bytes the token carries. */
import { base32Decode, base32Encode, randomBytes } from '../encoding/bytes.ts';
import { VOUCHER_ID_BYTES } from '../token/voucher-token.ts';

export const VOUCHER_ID_PREFIX = 'vch_';

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
