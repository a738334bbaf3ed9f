/**
 * Bad input at the till, in Chromium against the real server: every refusal is one sentence the
 * cashier can act on. Codes come in through the Reference field, as a handheld scanner types them
 * (the camera path is covered by cashier.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, launch } from './support/browser.ts';
import { createVoucher } from './support/api.ts';
import { demoEnrolCode, enrol, TABLET } from './support/till.ts';
import { generateSigningKeyPair } from '../../core/token/operator-keys.ts';
import { decodeVoucherToken, signVoucherToken, verifyVoucherToken } from '../../core/token/voucher-token.ts';
import { voucherQrText } from '../../core/token/limits.ts';
import { dammCheckDigit } from '../../core/reference/reference.ts';

const available = browserTierAvailable();

describe.skipIf(!available)('till refusals in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    server = await startServer();
    browser = await launch();
    const context = await browser.newContext({ viewport: TABLET, locale: 'en-US' });
    page = await context.newPage();
    await enrol(page, server.url, demoEnrolCode(server));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Types `text` into the Reference field and returns the refusal the till shows, then clears it. */
  async function refusal(text: string): Promise<{ reason: string | null; sentence: string | null }> {
    await page.getByLabel('Reference').fill(text);
    await page.getByRole('button', { name: 'Check' }).click();
    const alert = page.locator('.till-refusal');
    await alert.waitFor({ timeout: 20_000 });
    const answer = { reason: await alert.getAttribute('data-refusal'), sentence: await alert.locator('.refusal-sentence').textContent() };
    await alert.getByRole('button', { name: 'Next voucher' }).click();
    await alert.waitFor({ state: 'detached' });
    return answer;
  }

  /** The token with one digit changed such that it still decodes: only the signature can catch it. */
  async function altered(token: string): Promise<string> {
    for (let at = token.length - 1; at > 0; at--) {
      for (const digit of '0123456789') {
        if (digit === token[at]) continue;
        const candidate = token.slice(0, at) + digit + token.slice(at + 1);
        if (decodeVoucherToken(candidate).ok) return candidate;
      }
    }
    throw new Error('no decodable alteration');
  }

  it('refuses an altered voucher code: it has been altered, do not take payment', async () => {
    const voucher = await createVoucher(server);
    const qr = voucherQrText(server.url, await altered(voucher.token));
    expect(await refusal(qr)).toEqual({
      reason: 'bad_signature',
      sentence: 'This voucher has been altered. Do not take payment: the shopper should open the original voucher from the shop.',
    });
  });

  it('refuses a voucher signed by a key Counterpay never published, after fetching the current keys', async () => {
    const stranger = await generateSigningKeyPair();
    const claims = decodeVoucherToken((await createVoucher(server)).token);
    if (!claims.ok) throw new Error('server token does not decode');
    const forged = await signVoucherToken({ ...claims.claims, kid: 9_999 }, stranger.privateKey);
    expect((await verifyVoucherToken(forged, new Map())).ok).toBe(false);
    expect(await refusal(voucherQrText(server.url, forged))).toEqual({
      reason: 'unknown_key',
      sentence: 'This voucher is not signed by Counterpay. Do not take payment: the shopper should contact the shop.',
    });
  });

  it('refuses a code that is not a Counterpay voucher, and says what a mistyped reference is missing', async () => {
    expect((await refusal('https://example.com/menu')).reason).toBe('not_voucher');
    expect(await refusal('1234 5678')).toEqual({ reason: 'reference_length', sentence: 'A reference has 12 digits. Check the number with the shopper and type it again.' });
    const body = '12345678901';
    const wrong = body + ((dammCheckDigit(body) + 1) % 10);
    expect((await refusal(wrong)).reason).toBe('reference_check_digit');
  });

  it('refuses a typed reference the server does not know, naming it', async () => {
    const body = '99999999999';
    const reference = body + dammCheckDigit(body);
    expect(await refusal(reference)).toEqual({
      reason: 'reference_not_found',
      sentence: 'No voucher has the reference 9999 9999 9999. Check the digits with the shopper, or scan the QR code instead.',
    });
  });

  it('takes a typed reference online only, and collects it by bank card with the terminal’s reference', async () => {
    const voucher = await createVoucher(server);
    await page.context().setOffline(true);
    expect((await refusal(voucher.reference)).reason).toBe('reference_offline');
    await page.context().setOffline(false);

    await page.getByLabel('Reference').fill(voucher.reference.replace(/(\d{4})(?=\d)/g, '$1 '));
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`).waitFor();
    await page.getByLabel('Bank card').check();
    await page.getByRole('button', { name: 'Collect €42.50' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Type the reference the card terminal printed.');
    await page.getByLabel('Terminal reference').fill('T-4471');
    await page.getByRole('button', { name: 'Collect €42.50' }).click();
    await expect.poll(() => page.locator('.receipt').getAttribute('data-outcome'), { timeout: 20_000 }).toBe('accepted');
    expect(await page.locator('.receipt').textContent()).toContain('T-4471');
    await page.getByRole('button', { name: 'Next voucher' }).click();

    // Collected here: the journal says so before the paid list would.
    expect((await refusal(voucher.qr)).reason).toMatch(/^(collected_here|paid_elsewhere)$/);
  });

  it('refuses offline a voucher above the lease’s per-voucher cap, naming the cap, and takes it once confirmed online', async () => {
    const voucher = await createVoucher(server, { amount: 30_000, items: [{ name: 'Desk lamp', quantity: 1, unit_amount: 30_000 }] });
    await page.context().setOffline(true);
    expect(await refusal(voucher.qr)).toEqual({
      reason: 'lease_voucher_too_large',
      sentence: 'This voucher is over €250.00, the most this till may take without a connection. Connect to the internet and scan again so Counterpay can confirm it.',
    });
    await page.context().setOffline(false);
    await page.getByLabel('Reference').fill(voucher.qr);
    await page.getByRole('button', { name: 'Check' }).click();
    const due = page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`);
    await due.waitFor();
    expect(await due.textContent()).toContain('Confirmed online');
    await due.getByRole('button', { name: 'Cancel' }).click();
  });

  it('refuses an expired voucher by the till’s own clock, with its expiry', async () => {
    const voucher = await createVoucher(server, { expires_in: 900 });
    await page.clock.setFixedTime(new Date(Date.parse(voucher.expires_at) + 60_000));
    const answer = await refusal(voucher.qr);
    expect(answer.reason).toBe('expired');
    expect(answer.sentence).toMatch(/^This voucher expired on .+\. Do not take payment: the shopper must ask the shop for a new voucher\.$/);
  });
});
