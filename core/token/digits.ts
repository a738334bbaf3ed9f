/**
 * Base10 transport encoding of the token bytes, for QR numeric mode.
 *
 * Why digits and not Base45: QR numeric mode stores 3 digits in 10 bits, so 7 bytes become
 * 17 digits (56 bits in 56.7): 8.1 bits a byte, against 8.25 for Base45 in alphanumeric mode.
 * Digits are also safe in every part of a URL, where Base45's space, `%`, `+` and `/` are not,
 * and the QR is a URL (docs/architecture.md §4).
 *
 * Layout: the bytes are cut into 7-byte chunks, each read as a big-endian integer and written as
 * exactly 17 decimal digits; a last chunk of n < 7 bytes is written with LAST_CHUNK_DIGITS[n]
 * digits, the fewest that hold 256^n - 1. The digit count therefore fixes the byte count.
 */

const CHUNK_BYTES = 7;
const CHUNK_DIGITS = 17;
/** Digits for a final chunk of n bytes (n = 0…6): ceil(n · log10(256)). */
const LAST_CHUNK_DIGITS = [0, 3, 5, 8, 10, 13, 15] as const;

export function bytesToDigits(bytes: Uint8Array): string {
  let out = '';
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    const chunk = bytes.subarray(offset, offset + CHUNK_BYTES);
    let value = 0n;
    for (const b of chunk) value = (value << 8n) | BigInt(b);
    const width = chunk.length === CHUNK_BYTES ? CHUNK_DIGITS : LAST_CHUNK_DIGITS[chunk.length]!;
    out += value.toString().padStart(width, '0');
  }
  return out;
}

/** Decodes {@link bytesToDigits}; null for a non-digit, an impossible length or a chunk out of range. */
export function digitsToBytes(digits: string): Uint8Array | null {
  if (!/^[0-9]*$/.test(digits)) return null;
  const fullChunks = Math.floor(digits.length / CHUNK_DIGITS);
  const rest = digits.length % CHUNK_DIGITS;
  const lastBytes = LAST_CHUNK_DIGITS.indexOf(rest as (typeof LAST_CHUNK_DIGITS)[number]);
  if (lastBytes < 0) return null;
  const out = new Uint8Array(fullChunks * CHUNK_BYTES + lastBytes);
  let pos = 0;
  const readChunk = (text: string, byteCount: number): boolean => {
    let value = BigInt(text);
    if (value >= 1n << BigInt(8 * byteCount)) return false;
    for (let i = byteCount - 1; i >= 0; i--) {
      out[pos + i] = Number(value & 0xffn);
      value >>= 8n;
    }
    pos += byteCount;
    return true;
  };
  for (let c = 0; c < fullChunks; c++) {
    if (!readChunk(digits.slice(c * CHUNK_DIGITS, (c + 1) * CHUNK_DIGITS), CHUNK_BYTES)) return null;
  }
  if (lastBytes > 0 && !readChunk(digits.slice(fullChunks * CHUNK_DIGITS), lastBytes)) return null;
  return out;
}

/** Number of digits {@link bytesToDigits} writes for `byteLength` bytes. */
export function digitCount(byteLength: number): number {
  return Math.floor(byteLength / CHUNK_BYTES) * CHUNK_DIGITS + LAST_CHUNK_DIGITS[byteLength % CHUNK_BYTES]!;
}
