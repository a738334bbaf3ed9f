/**
 * The camera QR scanner for the cashier view. It lives in the cashier chunk only: html5-qrcode
 * is about 100 KB gzipped, more than the whole shopper view may load (DESIGN §8).
 */
import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';

export interface Scanner {
  stop(): Promise<void>;
}

/** Starts the back camera in the element with `elementId` and calls `onText` for each code read. */
export async function startScanner(elementId: string, onText: (text: string) => void): Promise<Scanner> {
  const reader = new Html5Qrcode(elementId, { formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE], verbose: false });
  await reader.start({ facingMode: 'environment' }, { fps: 10 }, onText, () => undefined);
  return {
    async stop() {
      await reader.stop();
      reader.clear();
    },
  };
}
