/**
 * A fake camera for Chromium: a Y4M video made with ffmpeg from a voucher's real QR text, fed to
 * the browser with --use-file-for-fake-video-capture. Chromium loops the file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import QRCode from 'qrcode';
import { scratchDir } from '../../support/scratch.ts';

export function ffmpegAvailable(): boolean {
  const ok = spawnSync('ffmpeg', ['-version']).status === 0;
  if (!ok && process.env.CI === 'true') throw new Error('the cashier browser tier needs ffmpeg (apt-get install -y ffmpeg)');
  return ok;
}

export interface Y4mOptions {
  /** Seconds of a plain black picture before the QR (0: the QR from the first frame). */
  blankSeconds?: number;
  /** Seconds of the QR. With no blank part, one frame is enough: Chromium loops it. */
  qrSeconds?: number;
  fps?: number;
}

/**
 * Renders `text` as a QR (level M, a four-module quiet zone, as a phone shows it) in the middle of
 * a white 1280×720 picture, and writes it as a Y4M video. Returns the file's path; the folder is
 * scratch, removed when the test file ends.
 */
export async function qrVideo(text: string, options: Y4mOptions = {}): Promise<string> {
  const png = join(scratchDir('camera'), 'qr.png');
  // Whole pixels per module, as tall as the frame allows, and no resampling below: a blurred module
  // edge is what made the decoder miss a code now and then.
  const modules = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size + 8;
  writeFileSync(png, await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: Math.floor(720 / modules) }));
  return pictureVideo(png, options);
}

/**
 * Writes a picture (a PNG of at most 1280×720, centred on white) as a Y4M video beside it, as the
 * fake camera shows it: `options.blankSeconds` of black first when asked. Returns the video's path.
 */
export function pictureVideo(png: string, options: Y4mOptions = {}): string {
  const out = join(dirname(png), `${basename(png, '.png')}.y4m`);
  const fps = options.fps ?? 10;
  const qr = ['-loop', '1', '-framerate', String(fps), '-t', String(options.qrSeconds ?? 1 / fps), '-i', png];
  const fit = 'pad=1280:720:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p,setsar=1';
  const args = options.blankSeconds
    ? [
        '-f',
        'lavfi',
        '-i',
        `color=c=black:s=1280x720:r=${fps}:d=${options.blankSeconds}`,
        ...qr,
        '-filter_complex',
        `[0:v]format=yuv420p,setsar=1[b];[1:v]${fit}[q];[b][q]concat=n=2:v=1:a=0[v]`,
        '-map',
        '[v]',
      ]
    : [...qr, '-vf', fit];
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', ...args, '-r', String(fps), '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', out]);
  return out;
}

/** Chromium flags that turn `file` into the camera and grant camera access without a prompt. */
export function cameraArgs(file: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}
