/**
 * The camera QR scanner for the cashier view. It lives in the cashier chunk only: html5-qrcode
 * (about 100 KB gzipped) and the decoder's JavaScript are more than the whole shopper view may
 * load, and the decoder's WebAssembly (about 1 MB) is fetched only when the camera first starts
 * (docs/architecture.md §8).
 *
 * html5-qrcode runs the camera; the decoding is ZXing-C++ compiled to WebAssembly (the
 * `barcode-detector` package, built on `zxing-wasm`), handed to html5-qrcode as the
 * `BarcodeDetector` it uses when one exists. html5-qrcode's own decoder, ZXing-js, reads a sharp
 * code but misses what a real camera sees of a phone screen: a mildly blurred, tilted, washed-out
 * or small code that zbarimg reads at once (issue 16; the distorted set in
 * test/browser/support/distorted.ts, its figures in bench/web/till.ts).
 *
 * Settings, and why:
 *   - a browser's own BarcodeDetector is kept when it reads QR codes (Android's and Apple's are
 *     system decoders); otherwise the WebAssembly one is installed as `globalThis.BarcodeDetector`
 *     (Chromium on Linux and Windows and Firefox have none that reads QR);
 *   - the .wasm is one of our build's assets (Vite's `?url` import), never the package's default
 *     CDN: the till works offline, the service worker precaches it (vite.config.ts), and the CSP
 *     allows compiling it with 'wasm-unsafe-eval' (api/http/security-headers.ts);
 *   - the decoder is loaded, once, before html5-qrcode is made (html5-qrcode checks for a
 *     BarcodeDetector when it is constructed). If it cannot load (no WebAssembly, the file
 *     missing offline), no BarcodeDetector is installed and html5-qrcode decodes with ZXing-js
 *     as before; the next camera start tries again;
 *   - `experimentalFeatures: { useBarCodeDetectorIfSupported: true }`: html5-qrcode then decodes
 *     with the BarcodeDetector, and still with ZXing-js on every other frame (it alternates the two;
 *     this cannot be turned off), so a code either reads is read;
 *   - `{ facingMode: 'environment' }`, not `exact`: the back camera where there is one, and any
 *     camera otherwise (a tablet on a stand, a USB camera, the test's fake camera);
 *   - no `qrbox`: the whole frame is decoded, so a code never fails for being larger than a box;
 *   - the element is at least 640 px wide (till.css): html5-qrcode decodes the frame at the
 *     element's size, and a dense code on a phone screen needs the pixels.
 * A frame without a readable code is not an error: the library calls the failure callback for
 * every such frame, and the scanner simply waits for the next one.
 */
import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';
import { BarcodeDetector as ZXingBarcodeDetector, prepareZXingModule, purgeZXingModule } from 'barcode-detector/ponyfill';
import zxingReaderWasm from 'zxing-wasm/reader/zxing_reader.wasm?url';

export interface Scanner {
  stop(): Promise<void>;
}

/** Where the decoder finds its .wasm: our own asset. One object, so that zxing-wasm sees the same overrides each time. */
const ZXING_OVERRIDES = {
  locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? zxingReaderWasm : prefix + path),
};

type Detector = { getSupportedFormats(): Promise<readonly string[]> };

let decoderReady: Promise<void> | null = null;

/**
 * Makes sure html5-qrcode finds a BarcodeDetector that reads QR codes: the browser's own, or
 * ZXing-C++ once its WebAssembly has loaded. Resolves either way; on failure there is none, and
 * the next call tries again.
 */
function prepareDecoder(): Promise<void> {
  decoderReady ??= (async () => {
    const own = (globalThis as { BarcodeDetector?: Detector }).BarcodeDetector;
    if (own && own !== ZXingBarcodeDetector && (await own.getSupportedFormats().catch((): readonly string[] => [])).includes('qr_code')) return;
    try {
      await prepareZXingModule({ overrides: ZXING_OVERRIDES, fireImmediately: true });
      (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector = ZXingBarcodeDetector;
    } catch {
      // zxing-wasm keeps a failed load as its answer: forget it, so that the next start fetches again.
      purgeZXingModule();
      decoderReady = null;
    }
  })();
  return decoderReady;
}

/** Starts the back camera in the element with `elementId` and calls `onText` for each code read. */
export async function startScanner(elementId: string, onText: (text: string) => void): Promise<Scanner> {
  await prepareDecoder();
  const reader = new Html5Qrcode(elementId, {
    formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE],
    experimentalFeatures: { useBarCodeDetectorIfSupported: true },
    verbose: false,
  });
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
