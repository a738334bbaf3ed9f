/**
 * The encoder of the qrcode package on its own (web/shopper/qr.ts): its `create` is the one
 * `qrcode` exports, without the canvas and SVG renderers and the callback plumbing that
 * `qrcode`'s browser entry adds (the page draws its own SVG path).
 */
declare module 'qrcode/lib/core/qrcode.js' {
  import type { create } from 'qrcode';
  const encoder: { create: typeof create };
  export default encoder;
}
