/**
 * What a real camera sees of a phone screen (issue 16): the densest voucher QR the wallet shows,
 * then that picture blurred, rotated, tilted, washed out, noisy, under glare, small in the frame,
 * and a few of these at once. Each picture is a 1280×720 PNG made with ffmpeg filters from the
 * wallet's own code (the segments of core/token/qr-segments.ts, level M, four-module quiet zone);
 * ./camera.ts pictureVideo turns one into the fake camera. The set is fair only if an independent
 * reader reads every picture: zbarRead() asks zbarimg, and the tests and figures check it first.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import QRCode from 'qrcode';
import { MAX_AMOUNT, MERCHANT_DISPLAY_MAX_BYTES, ORDER_REF_MAX_CHARS } from '../../../core/token/limits.ts';
import { qrSegments } from '../../../core/token/qr-segments.ts';
import { ROOT } from '../../support/server.ts';
import { scratchDir } from '../../support/scratch.ts';
import { createVoucher, type CreatedVoucher } from './api.ts';

const run = promisify(execFile);

/** A merchant name longer than the token keeps (MERCHANT_DISPLAY_MAX_BYTES): the token carries the most it can. */
export const DENSE_MERCHANT = 'Wilhelmina Woodworth Wares of Wolverhampton';
/** The longest order number (core/token/limits.ts). */
export const DENSE_ORDER = 'WM-'.padEnd(ORDER_REF_MAX_CHARS, 'W');

/**
 * The voucher with the longest token there can be: a merchant name past the token's limit, the
 * largest amount, the longest order number, and an item name longer than any summary budget. Its
 * own merchant is made with the operator CLI, as an operator makes one.
 */
export async function densestVoucher(server: { url: string; dataDir: string; databaseUrl?: string }): Promise<CreatedVoucher> {
  if (new TextEncoder().encode(DENSE_MERCHANT).length <= MERCHANT_DISPLAY_MAX_BYTES) throw new Error('DENSE_MERCHANT must be longer than the token keeps');
  const { stdout } = await run(process.execPath, ['bin/counterpay.js', 'merchant', 'create', '--name', DENSE_MERCHANT, '--json'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl ?? '' },
  });
  const shop = { url: server.url, apiKey: (JSON.parse(stdout) as { api_key: string }).api_key };
  return createVoucher(shop, {
    order_ref: DENSE_ORDER,
    amount: MAX_AMOUNT,
    items: [
      { name: 'W'.repeat(200), quantity: 1, unit_amount: MAX_AMOUNT - 1 },
      { name: 'Wrapping', quantity: 1, unit_amount: 1 },
    ],
  });
}

export interface Distortion {
  name: string;
  /** What the camera sees, as a test names it: "the QR is …". */
  what: string;
  /** An ffmpeg filter graph from [0:v] (the sharp QR, 715 px square) to [out] (1280×720). */
  graph: string;
}

/** The sharp QR centred on white, and the same QR at a phone's arm's length (480 px, two thirds of the frame). */
const CENTRE = 'pad=1280:720:(ow-iw)/2:(oh-ih)/2:white';
const ARM = `scale=480:480:flags=area,${CENTRE}`;
const MILD_BLUR = 'gblur=sigma=3';
const WASHED = "lutrgb=r='170+val*65/255':g='170+val*65/255':b='170+val*65/255'"; // black → 170, white → 235
const TILT = 'perspective=x0=W*0.12:y0=H*0.05:x1=W*0.9:y1=0:x2=W*0.02:y2=H:x3=W:y3=H*0.95:sense=destination'; // top edge away from the camera
const NOISE = 'noise=alls=60:allf=u'; // ffmpeg's fixed default seed: the same picture every run
/** A bright blurred ellipse over the top right of the code: a lamp reflected in the phone's glass. */
const glare = (input: string) =>
  `${input},format=rgba[base];color=c=white:s=1280x720,format=rgba,geq=r=255:g=255:b=255:a='230*lte(pow((X-760)/200\\,2)+pow((Y-250)/110\\,2)\\,1)',gblur=sigma=30[glare];[base][glare]overlay=format=auto`;

export const DISTORTIONS: readonly Distortion[] = [
  { name: 'blur-mild', what: 'mildly out of focus (gaussian blur, sigma 3 px)', graph: `${CENTRE},${MILD_BLUR}` },
  { name: 'blur-strong', what: 'badly out of focus (gaussian blur, sigma 5 px)', graph: `${CENTRE},gblur=sigma=5` },
  { name: 'rotate-15', what: 'rotated by 15°', graph: `${ARM},rotate=15*PI/180:fillcolor=white` },
  { name: 'rotate-45', what: 'rotated by 45°', graph: `${ARM},rotate=45*PI/180:fillcolor=white` },
  { name: 'tilt', what: 'tilted away from the camera (perspective)', graph: `${ARM},${TILT}` },
  { name: 'washed-out', what: 'washed out (black at 170, white at 235 of 255)', graph: `${CENTRE},${WASHED}` },
  { name: 'noise', what: 'noisy (uniform noise of ±60 levels)', graph: `${CENTRE},${NOISE}` },
  { name: 'glare', what: 'under a glare spot', graph: glare(CENTRE) },
  { name: 'small', what: 'small in the frame (a third of its height)', graph: `scale=240:240:flags=area,${CENTRE}` },
  { name: 'rotate-blur-washed', what: 'rotated by 15°, mildly blurred and washed out', graph: `${ARM},rotate=15*PI/180:fillcolor=white,${MILD_BLUR},${WASHED}` },
  { name: 'tilt-noise-glare', what: 'tilted, noisy and under a glare spot', graph: glare(`${ARM},${TILT},${NOISE}`) },
  { name: 'small-rotate-blur', what: 'small, rotated by 45° and slightly blurred', graph: `scale=300:300:flags=area,${CENTRE},rotate=45*PI/180:fillcolor=white,gblur=sigma=1` },
];

export interface Picture extends Distortion {
  png: string;
}

/** The QR version of `text` as the wallet draws it (level M). */
export function walletQrVersion(text: string): number {
  return QRCode.create(qrSegments(text) as QRCode.QRCodeSegment[], { errorCorrectionLevel: 'M' }).version;
}

/** The sharp QR of `text` as the wallet draws it: its segments, level M, a four-module quiet zone, whole pixels per module as tall as 720 px allows. */
export async function walletQrPng(text: string, file: string): Promise<string> {
  const segments = qrSegments(text) as QRCode.QRCodeSegment[];
  const modules = QRCode.create(segments, { errorCorrectionLevel: 'M' }).modules.size + 8;
  writeFileSync(file, await QRCode.toBuffer(segments, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: Math.floor(720 / modules) }));
  return file;
}

/** Writes the sharp QR of `text` and the pictures of DISTORTIONS (those named in `only`, when given) into a scratch folder. */
export async function distortedSet(text: string, only?: readonly string[]): Promise<Picture[]> {
  const dir = scratchDir('distorted');
  const sharp = await walletQrPng(text, join(dir, 'sharp.png'));
  return DISTORTIONS.filter((d) => !only || only.includes(d.name)).map((d) => {
    const png = join(dir, `${d.name}.png`);
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-i', sharp, '-filter_complex', `[0:v]${d.graph},format=rgb24[out]`, '-map', '[out]', '-frames:v', '1', png]);
    return { ...d, png };
  });
}

/** What zbarimg reads in `png` (QR codes only), or null when it reads nothing. */
export function zbarRead(png: string): string | null {
  const r = spawnSync('zbarimg', ['--nodbus', '--raw', '-q', '-Sdisable', '-Sqrcode.enable', png]);
  if (r.status === 4) return null;
  if (r.status !== 0) throw new Error(`zbarimg failed on ${png}: ${r.stderr.toString()}`);
  return r.stdout.toString().replace(/\n$/, '');
}
