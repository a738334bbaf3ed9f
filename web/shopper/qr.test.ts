import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, MERCHANT_DISPLAY_MAX_BYTES, ORDER_REF_MAX_CHARS, summaryBudget, voucherQrText } from '../../core/token/limits.ts';
import { qrVersionFor } from '../../core/token/qr-capacity.ts';
import { drawQr, qrSegments } from './qr.ts';
import { claimsFor, makeKey, sign } from './testing.ts';

describe('voucher QR drawing', () => {
  it('puts the URL prefix in alphanumeric mode and the token in numeric mode', () => {
    expect(qrSegments('HTTP://127.0.0.1:8080/V/0123')).toEqual([
      { data: 'HTTP://127.0.0.1:8080/V/', mode: 'alphanumeric' },
      { data: '0123', mode: 'numeric' },
    ]);
  });

  it('falls back to byte mode for a prefix alphanumeric mode cannot carry', () => {
    const [prefix] = qrSegments('https://shop.example/V/0123');
    expect(prefix!.mode).toBe('byte');
  });

  it('keeps the largest voucher at version 10 or lower, as the API sized it', async () => {
    // The largest key id the size budget allows (a two-byte varint), every field at its limit.
    const key = await makeKey(16_383);
    const publicUrl = 'https://counterpay.example.com';
    const token = await sign(
      key,
      claimsFor(16_383, {
        amount: MAX_AMOUNT,
        merchant: 'M'.repeat(MERCHANT_DISPLAY_MAX_BYTES),
        orderRef: 'O'.repeat(ORDER_REF_MAX_CHARS),
        summary: 'S'.repeat(summaryBudget(publicUrl)),
      }),
    );
    const text = voucherQrText(publicUrl, token);
    const drawing = drawQr(text);
    expect(drawing.version).toBeLessThanOrEqual(10);
    expect(drawing.version).toBe(qrVersionFor(text.slice(0, text.lastIndexOf('/V/') + 3), token.length));
    expect(drawing.size).toBe(17 + 4 * drawing.version + 8);
  });
});
