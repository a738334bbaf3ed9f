/**
 * The voucher's QR, drawn as an SVG path so it stays sharp at any size on screen and on paper.
 *
 * The text is split the way the API sizes it (core/token/qr-capacity.ts): the URL prefix in
 * alphanumeric mode (the API upper-cases scheme and host for that) and the token digits in numeric
 * mode, at error correction M. One byte-mode segment would push a large voucher past version 10.
 */
// The encoder alone: `qrcode`'s browser entry also bundles canvas and SVG renderers this page never
// uses (about 1.5 KB gzipped of the shopper's first screen).
import QRCode from 'qrcode/lib/core/qrcode.js';
import { qrSegments } from '../../core/token/qr-segments.ts';

/** Blank modules around the code; ISO/IEC 18004 asks for four. */
export const QUIET_ZONE = 4;

export { qrSegments };

export interface QrDrawing {
  /** Modules per side, quiet zone included: the SVG viewBox is 0 0 size size. */
  size: number;
  /** One `M x yh1v1h-1z` square per dark module, runs merged per row. */
  path: string;
  version: number;
}

export function drawQr(text: string): QrDrawing {
  const code = QRCode.create(qrSegments(text), { errorCorrectionLevel: 'M' });
  const { size, data } = code.modules;
  let path = '';
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col++;
      path += `M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h${start - col}z`;
    }
  }
  return { size: size + 2 * QUIET_ZONE, path, version: code.version };
}
