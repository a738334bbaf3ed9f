/**
 * QR capacity arithmetic (ISO/IEC 18004) for the voucher URL: how many bits the URL prefix and
 * the numeric token take, and which version at error-correction level M that needs.
 * Used to size the token's free-text fields so that the largest voucher still fits version 10-M
 * (docs/architecture.md §4). Tests check these numbers against the `qrcode` encoder.
 */

/** Data codewords (bytes) at error-correction level M, versions 1…13. */
const DATA_CODEWORDS_M = [0, 16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334] as const;

const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

type Mode = 'numeric' | 'alphanumeric' | 'byte';

function countBits(mode: Mode, version: number): number {
  const band = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  return { numeric: [10, 12, 14], alphanumeric: [9, 11, 13], byte: [8, 16, 16] }[mode][band]!;
}

function segmentBits(mode: Mode, length: number, version: number): number {
  const header = 4 + countBits(mode, version);
  switch (mode) {
    case 'numeric':
      return header + 10 * Math.floor(length / 3) + [0, 4, 7][length % 3]!;
    case 'alphanumeric':
      return header + 11 * Math.floor(length / 2) + 6 * (length % 2);
    case 'byte':
      return header + 8 * length;
  }
}

/** The cheapest single mode for a URL prefix: alphanumeric when every character allows it. */
export function prefixMode(prefix: string): 'alphanumeric' | 'byte' {
  return ALPHANUMERIC.test(prefix) ? 'alphanumeric' : 'byte';
}

/**
 * Smallest QR version (level M) that holds `prefix` as one segment followed by `digitCount`
 * digits in numeric mode, or null when it needs more than version 13.
 */
export function qrVersionFor(prefix: string, digitCount: number): number | null {
  const prefixBytes = new TextEncoder().encode(prefix).length;
  const mode = prefixMode(prefix);
  for (let version = 1; version < DATA_CODEWORDS_M.length; version++) {
    const bits = segmentBits(mode, mode === 'byte' ? prefixBytes : prefix.length, version) + segmentBits('numeric', digitCount, version);
    if (bits <= DATA_CODEWORDS_M[version]! * 8) return version;
  }
  return null;
}

/** The largest digit count that fits `version` at level M after `prefix`. */
export function maxDigitsAfter(prefix: string, version: number): number {
  let digits = 0;
  while ((qrVersionFor(prefix, digits + 1) ?? Infinity) <= version) digits++;
  return digits;
}
