/**
 * Draws the app icons in public/icons (committed PNGs; run again only when the design changes):
 *   node --import tsx web/tools/make-icons.ts
 * The mark is the favicon's: a white card with two QR finder patterns on the brand green.
 * "any" icons are a rounded square; "maskable" ones fill the canvas and keep the mark inside the
 * central 80 % circle that every launcher mask leaves visible (W3C Web App Manifest, maskable).
 * The till (public/cashier.webmanifest) is an app of its own: the same mark on the dark green,
 * over an amber till-roll bar, so the two never look alike on a home screen.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

type Rgba = [number, number, number, number];
const BRAND: Rgba = [0x0b, 0x5d, 0x46, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];
const TILL_DARK: Rgba = [0x07, 0x3d, 0x2e, 255];
const AMBER: Rgba = [0xf2, 0xb7, 0x05, 255];

type Variant = 'wallet' | 'till';

/** The favicon's 32-unit design: a shape list in that coordinate space. */
type Shape = { x: number; y: number; w: number; h: number; r: number; color: Rgba };
function mark(variant: Variant): Shape[] {
  const dark = variant === 'till' ? TILL_DARK : BRAND;
  const cells: Array<[number, number, number, number]> = [
    [9, 9, 6, 6],
    [17, 17, 6, 6],
    [17, 9, 2, 2],
    [21, 9, 2, 4],
    [9, 17, 2, 2],
    [13, 19, 2, 4],
  ];
  return [
    { x: 6, y: 6, w: 20, h: 20, r: 3, color: WHITE },
    ...cells.map(([x, y, w, h]) => ({ x, y, w, h, r: 0, color: dark })),
    // Finder pattern centres are white rings around a dark dot: punch the ring.
    { x: 10, y: 10, w: 4, h: 4, r: 0, color: WHITE },
    { x: 11, y: 11, w: 2, h: 2, r: 0, color: dark },
    { x: 18, y: 18, w: 4, h: 4, r: 0, color: WHITE },
    { x: 19, y: 19, w: 2, h: 2, r: 0, color: dark },
    ...(variant === 'till' ? [{ x: 8, y: 27.2, w: 16, h: 2.3, r: 1, color: AMBER }] : []),
  ];
}

function inside(s: Shape, x: number, y: number): boolean {
  if (x < s.x || y < s.y || x > s.x + s.w || y > s.y + s.h) return false;
  if (s.r === 0) return true;
  const cx = Math.min(Math.max(x, s.x + s.r), s.x + s.w - s.r);
  const cy = Math.min(Math.max(y, s.y + s.r), s.y + s.h - s.r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= s.r ** 2;
}

/** Renders with 4×4 supersampling so edges are smooth. `scale` maps the 32-unit design to pixels. */
function draw(size: number, maskable: boolean, variant: Variant = 'wallet'): Buffer {
  const png = new PNG({ width: size, height: size });
  const fill = variant === 'till' ? TILL_DARK : BRAND;
  const background: Shape = maskable ? { x: 0, y: 0, w: 32, h: 32, r: 0, color: fill } : { x: 0, y: 0, w: 32, h: 32, r: 6, color: fill };
  // Maskable: shrink the mark so its card (6…26 of 32) sits within the 80 % safe circle.
  const zoom = maskable ? 0.78 : 1;
  const shapes = mark(variant).map((s) => ({ ...s, x: 16 + (s.x - 16) * zoom, y: 16 + (s.y - 16) * zoom, w: s.w * zoom, h: s.h * zoom, r: s.r * zoom }));
  const SS = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = ((px + (sx + 0.5) / SS) / size) * 32;
          const y = ((py + (sy + 0.5) / SS) / size) * 32;
          let color = inside(background, x, y) ? background.color : CLEAR;
          for (const s of shapes) if (inside(s, x, y)) color = s.color;
          // Premultiplied sum so transparent samples do not darken the edge.
          for (let c = 0; c < 3; c++) acc[c]! += color[c]! * color[3];
          acc[3]! += color[3];
        }
      }
      const i = (py * size + px) * 4;
      const alpha = acc[3]! / (SS * SS);
      for (let c = 0; c < 3; c++) png.data[i + c] = acc[3]! > 0 ? Math.round(acc[c]! / acc[3]!) : 0;
      png.data[i + 3] = Math.round(alpha);
    }
  }
  return PNG.sync.write(png);
}

const out = new URL('../../public/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), draw(192, false));
writeFileSync(new URL('icon-512.png', out), draw(512, false));
writeFileSync(new URL('maskable-192.png', out), draw(192, true));
writeFileSync(new URL('maskable-512.png', out), draw(512, true));
// iOS ignores the manifest icons and masks its own corners: a full-bleed square.
writeFileSync(new URL('apple-touch-icon.png', out), draw(180, true));
writeFileSync(new URL('till-192.png', out), draw(192, false, 'till'));
writeFileSync(new URL('till-512.png', out), draw(512, false, 'till'));
writeFileSync(new URL('till-maskable-192.png', out), draw(192, true, 'till'));
writeFileSync(new URL('till-maskable-512.png', out), draw(512, true, 'till'));
writeFileSync(new URL('till-apple-touch-icon.png', out), draw(180, true, 'till'));
console.log('icons written to public/icons');
