/**
 * The camera QR scanner for the cashier view. It lives in the cashier chunk only: html5-qrcode
 * is about 100 KB gzipped, more than the whole shopper view may load (docs/architecture.md §8).
 *
 * Settings, and why:
 *   - `{ facingMode: 'environment' }`, not `exact`: the back camera where there is one, and any
 *     camera otherwise (a tablet on a stand, a USB camera, the test's fake camera);
 *   - no `qrbox`: the whole frame is decoded, so a code never fails for being larger than a box;
 *   - the element is at least 640 px wide (app.css): html5-qrcode decodes the frame at the
 *     element's size, and a dense code on a phone screen needs the pixels.
 * A frame without a readable code is not an error: the library calls the failure callback for
 * every such frame, and the scanner simply waits for the next one.
 */
import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';

export interface Scanner {
  stop(): Promise<void>;
}

/** Starts the back camera in the element with `elementId` and calls `onText` for each code read. */
export async function startScanner(elementId: string, onText: (text: string) => void): Promise<Scanner> {
  const reader = new Html5Qrcode(elementId, { formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE], verbose: false });
  await reader.start(
    { facingMode: 'environment' },
    { fps: 10 },
    (text) => onText(text),
    () => undefined,
  );
  return {
    async stop() {
      if (reader.isScanning) await reader.stop();
      reader.clear();
    },
  };
}

/**
 * The camera reads the same code many times a second while it is in view. This lets a code
 * through once, then again only after it has been out of view for `quietMs`. A camera that starts
 * again by itself after a read passes that code as `inView`: it is not read twice by accident.
 */
export function onceWhileInView(quietMs = 3000, now = () => Date.now(), inView?: string): (text: string) => boolean {
  // `inView`: a code read just before the camera stopped, still in front of it when it starts again.
  let last = inView ?? '';
  let lastSeen = inView === undefined ? -Infinity : now();
  return (text) => {
    const t = now();
    const fresh = text !== last || t - lastSeen > quietMs;
    last = text;
    lastSeen = t;
    return fresh;
  };
}
