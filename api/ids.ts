/** Prefixed random ids for the API's own records (vouchers use core/vouchers/voucher-id.ts). */
import { base32Encode, randomBytes } from '../core/encoding/bytes.ts';

export const newId = (prefix: 'usr' | 'ses' | 'aud' | 'chl' | 'mer' | 'sto' | 'dev' | 'col' | 'ltx' | 'evt' | 'obx' | 'we' | 'stm' | 'pau' | 'key' | 'psb') =>
  `${prefix}_${base32Encode(randomBytes(10))}`;
/** Short-link codes: 128 random bits, 26 characters. */
export const newLinkCode = () => base32Encode(randomBytes(16));
/** Merchant API keys: 160 random bits after the mode's prefix. Stored as SHA-256 only. */
export const API_KEY_PREFIX = { live: 'cpk_live_', test: 'cpk_test_' } as const;
export const newApiKey = (mode: keyof typeof API_KEY_PREFIX) => `${API_KEY_PREFIX[mode]}${base32Encode(randomBytes(20))}`;
/** A refund's payout code: six uniformly random digits (rejection sampling, no modulo bias). */
export function newPayoutCode(): string {
  const limit = 4_294_000_000; // the largest multiple of 10^6 below 2^32
  for (;;) {
    const [n] = crypto.getRandomValues(new Uint32Array(1));
    if (n! < limit) return String(n! % 1_000_000).padStart(6, '0');
  }
}
