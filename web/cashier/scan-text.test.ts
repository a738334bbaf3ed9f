import { describe, expect, it } from 'vitest';
import { dammCheckDigit } from '../../core/reference/reference.ts';
import { readScannedText, readTypedText } from './scan-text.ts';

const token = '1'.repeat(20) + '2345678901'.repeat(10);
const body = '12345678901';
const reference = body + dammCheckDigit(body);

describe('what the till reads', () => {
  it('takes the token from a voucher QR URL, whatever the host and the case of scheme and host', () => {
    expect(readScannedText(`HTTPS://PAY.EXAMPLE.COM/V/${token}`)).toEqual({ kind: 'token', token });
    expect(readScannedText(`http://127.0.0.1:8080/base/V/${token}`)).toEqual({ kind: 'token', token });
  });

  it('refuses a QR that is not a Counterpay voucher', () => {
    expect(readScannedText('https://example.com/menu')).toEqual({ kind: 'invalid', reason: 'not_voucher' });
    expect(readScannedText(`https://example.com/v/${token}`)).toEqual({ kind: 'invalid', reason: 'not_voucher' });
    expect(readScannedText(reference)).toEqual({ kind: 'invalid', reason: 'not_voucher' });
  });

  it('reads a typed reference with spaces or dashes as a reference', () => {
    expect(readTypedText(`${reference.slice(0, 4)} ${reference.slice(4, 8)}-${reference.slice(8)}`)).toEqual({ kind: 'reference', reference });
  });

  it('reads a whole voucher code typed by a handheld scanner as a token, so it is checked offline', () => {
    expect(readTypedText(`HTTP://HOST/V/${token}\n`)).toEqual({ kind: 'token', token });
    expect(readTypedText(token)).toEqual({ kind: 'token', token });
  });

  it('says which typing mistake a reference has', () => {
    const wrongDigit = reference.slice(0, 11) + ((Number(reference[11]) + 1) % 10);
    expect(readTypedText(wrongDigit)).toEqual({ kind: 'invalid', reason: 'reference_check_digit' });
    expect(readTypedText(reference.slice(0, 11))).toEqual({ kind: 'invalid', reason: 'reference_length' });
    expect(readTypedText('1234 5678 90AB')).toEqual({ kind: 'invalid', reason: 'reference_not_digits' });
    expect(readTypedText('https://example.com/menu')).toEqual({ kind: 'invalid', reason: 'not_voucher' });
  });
});
