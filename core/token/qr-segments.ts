/**
 * The voucher QR's segments, exactly as the API sizes them (core/token/qr-capacity.ts): the URL
 * prefix in alphanumeric mode when it allows it (the API upper-cases scheme and host for that),
 * the token digits in numeric mode. One byte-mode segment would push a large voucher past
 * version 10. The e-mail's PNG and the wallet's SVG both draw these, so they are the same code.
 * The shape is what the `qrcode` package takes as segments.
 */
import { prefixMode } from './qr-capacity.ts';

export type QrSegment = { mode: 'byte'; data: Uint8Array } | { mode: 'alphanumeric'; data: string } | { mode: 'numeric'; data: string };

const bytes = (text: string): QrSegment => ({ data: new TextEncoder().encode(text), mode: 'byte' });

export function qrSegments(text: string): QrSegment[] {
  const cut = text.lastIndexOf('/V/') + 3;
  const prefix = text.slice(0, cut);
  const digits = text.slice(cut);
  // Not a voucher URL (never expected): still encode exactly the text, in byte mode.
  if (cut < 3 || !/^[0-9]+$/.test(digits)) return [bytes(text)];
  return [prefixMode(prefix) === 'alphanumeric' ? { data: prefix, mode: 'alphanumeric' } : bytes(prefix), { data: digits, mode: 'numeric' }];
}
