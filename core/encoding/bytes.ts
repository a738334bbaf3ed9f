/** Byte helpers shared by the token codec and its callers. Web Platform APIs only. */

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** Lower-case Crockford Base32 without padding (used for public ids such as `vch_…`). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(buffer << (5 - bits)) & 31];
  return out;
}

/** Inverse of {@link base32Encode}; returns null for any character outside the alphabet or a wrong length. */
export function base32Decode(text: string, byteLength: number): Uint8Array | null {
  if (text.length !== Math.ceil((byteLength * 8) / 5)) return null;
  const out = new Uint8Array(byteLength);
  let buffer = 0;
  let bits = 0;
  let i = 0;
  for (const ch of text) {
    const v = CROCKFORD.indexOf(ch);
    if (v < 0) return null;
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      if (i < byteLength) out[i++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
      buffer &= (1 << bits) - 1;
    }
  }
  // Leftover bits must be zero so that every id has exactly one spelling.
  if (buffer !== 0) return null;
  return out;
}

export function base64UrlEncode(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64UrlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new TypeError(`not hex: ${hex.slice(0, 16)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
}

// Random bytes come from the platform's CSPRNG a page at a time and each byte is handed out once:
// one getRandomValues call per 4 KiB instead of one per id, which was ≈ 3 % of the server's CPU
// per created voucher (docs/capacity.md). Node pools randomUUID's entropy the same way.
const RANDOM_POOL_BYTES = 4096;
let randomPool = new Uint8Array(0);
let randomPoolUsed = 0;

export function randomBytes(length: number): Uint8Array {
  if (length > RANDOM_POOL_BYTES) return crypto.getRandomValues(new Uint8Array(length));
  if (randomPoolUsed + length > randomPool.length) {
    randomPool = crypto.getRandomValues(new Uint8Array(RANDOM_POOL_BYTES));
    randomPoolUsed = 0;
  }
  const out = randomPool.slice(randomPoolUsed, randomPoolUsed + length);
  randomPool.fill(0, randomPoolUsed, randomPoolUsed + length); // what was handed out is not kept
  randomPoolUsed += length;
  return out;
}
