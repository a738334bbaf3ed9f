/** Prefixed random ids for the API's own records (vouchers use core/vouchers/voucher-id.ts). */
import { base32Encode, randomBytes } from '../core/encoding/bytes.ts';

export const newId = (prefix: 'mer' | 'sto' | 'dev' | 'col' | 'ltx' | 'evt' | 'obx' | 'we' | 'stm') => `${prefix}_${base32Encode(randomBytes(10))}`;
/** Short-link codes: 128 random bits, 26 characters. */
export const newLinkCode = () => base32Encode(randomBytes(16));
/** Merchant API keys: 160 random bits. Stored as SHA-256 only. */
export const newApiKey = () => `cpk_${base32Encode(randomBytes(20))}`;
