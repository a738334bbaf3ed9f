import { describe, expect, it } from 'vitest';
import { voucherQrText } from '../../core/token/limits.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import { referenceForVoucherId } from '../../core/reference/reference.ts';
import type { HttpResult } from '../app/http.ts';
import { openInlineToken, openLinkCode, type OpenDeps } from './open-voucher.ts';
import type { VoucherLink as LinkAnswer } from '../../core/contract/voucher-link.ts';
import { claimsFor, keySource, makeKey, memoryStore, refundFor, sign } from './testing.ts';

const ORIGIN = 'http://127.0.0.1:8080';
const CODE = '0123456789abcdefghjkmnpqrs';

function deps(keys: OpenDeps['keys'], store = memoryStore(), fetchLink: OpenDeps['fetchLink'] = async () => ({ ok: false, reason: 'network' })) {
  return { store, deps: { keys, ...store, fetchLink, now: () => 1_700_000_000_000 } satisfies OpenDeps };
}

/** Flips one digit of the token without changing its length. */
function alter(token: string, at: number): string {
  const digit = token[at] === '1' ? '2' : '1';
  return token.slice(0, at) + digit + token.slice(at + 1);
}

function linkAnswer(token: string, claims: ReturnType<typeof claimsFor>, overrides: Partial<LinkAnswer> = {}): LinkAnswer {
  return {
    object: 'voucher_link',
    voucher_id: voucherIdToString(claims.voucherId),
    token,
    qr: voucherQrText(ORIGIN, token),
    status: 'open',
    reference: referenceForVoucherId(claims.voucherId),
    merchant: { name: 'Demo Shop of Very Long Names Ltd.' },
    order_ref: claims.orderRef,
    amount: claims.amount,
    currency: claims.currency,
    items: [
      { name: 'Mug', quantity: 2, unit_amount: 5_000 },
      { name: 'Tea', quantity: 1, unit_amount: 2_345 },
    ],
    expires_at: new Date(claims.expiresAt * 1000).toISOString(),
    paid_at: null,
    canceled_at: null,
    refunds: [],
    ...overrides,
  };
}

describe('opening a voucher from its QR URL', () => {
  it('saves a verified token with the QR text rebuilt exactly as the API builds it', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const { store, deps: d } = deps(keySource([key], [key]).source);
    const result = await openInlineToken(token, ORIGIN, d);
    expect(result.ok).toBe(true);
    const saved = store.rows.get(voucherIdToString(claims.voucherId))!;
    expect(saved.qr).toBe(voucherQrText(ORIGIN, token));
    expect(saved.qr).toMatch(/^HTTP:\/\/127\.0\.0\.1:8080\/V\/\d+$/);
    expect(result.ok && result.voucher).toMatchObject({ orderRef: claims.orderRef, amount: 12_345, currency: 'EUR', reference: referenceForVoucherId(claims.voucherId) });
  });

  it('refuses a token with any one digit changed and stores nothing', async () => {
    const key = await makeKey(1);
    const token = await sign(key, claimsFor(1));
    for (const at of [0, 20, 60, token.length - 30, token.length - 1]) {
      const { store, deps: d } = deps(keySource([key], [key]).source);
      const result = await openInlineToken(alter(token, at), ORIGIN, d);
      expect(result.ok, `digit ${at}`).toBe(false);
      expect(store.rows.size).toBe(0);
    }
  });

  it('refuses a token cut short as malformed without asking for keys', async () => {
    const key = await makeKey(1);
    const token = await sign(key, claimsFor(1));
    const { source, state } = keySource(null, [key]);
    const result = await openInlineToken(token.slice(0, -5), ORIGIN, deps(source).deps);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(state.refreshes).toBe(0);
  });

  it('calls a few stray digits malformed, not "made by a newer version"', async () => {
    const result = await openInlineToken('123', ORIGIN, deps(keySource(null, [], false).source).deps);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refreshes the keys once for an unknown key id, so a rotated key is accepted', async () => {
    const [old, rotated] = [await makeKey(1), await makeKey(2)];
    const token = await sign(rotated, claimsFor(2));
    const { source, state } = keySource([old], [old, rotated]);
    const result = await openInlineToken(token, ORIGIN, deps(source).deps);
    expect(result.ok).toBe(true);
    expect(state.refreshes).toBe(1);
  });

  it('refuses a token signed by a key the operator does not publish, after one refresh', async () => {
    const [published, foreign] = [await makeKey(1), await makeKey(7)];
    const token = await sign(foreign, claimsFor(7));
    const { source, state } = keySource([published], [published]);
    const { store, deps: d } = deps(source);
    expect(await openInlineToken(token, ORIGIN, d)).toMatchObject({ ok: false, reason: 'unknown_key' });
    expect(state.refreshes).toBe(1);
    expect(store.rows.size).toBe(0);
  });

  it('refuses a forgery that reuses a published key id with another private key', async () => {
    const [published, forger] = [await makeKey(1), await makeKey(1)];
    const token = await sign(forger, claimsFor(1));
    const { store, deps: d } = deps(keySource([published], [published]).source);
    expect(await openInlineToken(token, ORIGIN, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(store.rows.size).toBe(0);
  });

  it('says keys are unavailable when the phone has no keys and is offline', async () => {
    const key = await makeKey(1);
    const token = await sign(key, claimsFor(1));
    const result = await openInlineToken(token, ORIGIN, deps(keySource(null, [key], false).source).deps);
    expect(result).toMatchObject({ ok: false, reason: 'keys_unavailable' });
  });

  it('does not save a refund’s QR as a voucher to pay, and says what it is', async () => {
    const key = await makeKey(1);
    const refund = await refundFor(key);
    const { store, deps: d } = deps(keySource([key], [key]).source);
    expect(await openInlineToken(refund.token, ORIGIN, d)).toMatchObject({ ok: false, reason: 'refund_token' });
    expect(store.rows.size).toBe(0);
  });

  it('keeps the refunds the phone knows when a voucher is opened again from its QR alone', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const refund = await refundFor(key);
    const store = memoryStore();
    await openLinkCode(
      CODE,
      true,
      deps(keySource([key], [key]).source, store, async () => ({ ok: true, data: linkAnswer(token, claims, { status: 'paid', refunds: [refund] }) })).deps,
    );
    // The same voucher signed again (ECDSA signatures differ each time): a new token, saved over the old.
    const again = await sign(key, claims);
    expect(again).not.toBe(token);
    const result = await openInlineToken(again, ORIGIN, deps(keySource([key], [key]).source, store).deps);
    expect(result.ok && result.voucher).toMatchObject({ token: again, status: 'paid', refunds: [refund] });
  });

  it('keeps the stores listed under a voucher when it is opened again with another token', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const store = memoryStore();
    await openInlineToken(await sign(key, claims), ORIGIN, deps(keySource([key], [key]).source, store).deps);
    const id = voucherIdToString(claims.voucherId);
    const stores = { fetchedAt: 5, city: null, listings: [{ id: 'sto_demo' }] };
    store.rows.set(id, { ...store.rows.get(id)!, stores });
    await openInlineToken(await sign(key, claims), ORIGIN, deps(keySource([key], [key]).source, store).deps);
    expect(store.rows.get(id)!.stores).toEqual(stores);
  });

  it('reopens a saved token without keys, keeping the last status the server reported', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const store = memoryStore();
    await openInlineToken(token, ORIGIN, deps(keySource([key], [key]).source, store).deps);
    const id = voucherIdToString(claims.voucherId);
    store.rows.set(id, { ...store.rows.get(id)!, status: 'canceled', canceledAt: '2030-01-01T00:00:00Z', statusCheckedAt: 5 });
    const noKeys = keySource(null, [], false);
    const result = await openInlineToken(token, ORIGIN, deps(noKeys.source, store).deps);
    expect(result.ok && result.voucher.status).toBe('canceled');
    expect(noKeys.state.refreshes).toBe(0);
  });
});

describe('opening a voucher from its short link', () => {
  it('saves the full items, the full merchant name and the link code from the server', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const { store, deps: d } = deps(keySource([key], [key]).source, memoryStore(), async (code) =>
      code === CODE ? { ok: true, data: linkAnswer(token, claims) } : { ok: false, reason: 'status', status: 404, problem: 'not-found', detail: 'no such link' },
    );
    const result = await openLinkCode(CODE, true, d);
    expect(result.ok && result.voucher).toMatchObject({ merchant: 'Demo Shop of Very Long Names Ltd.', items: [{ name: 'Mug' }, { name: 'Tea' }] });
    expect([...store.rows.values()][0]).toMatchObject({ linkCode: CODE, statusCheckedAt: 1_700_000_000_000 });
  });

  it('saves the refunds the link lists with the voucher, leaving out any whose token is not a refund’s', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const refund = await refundFor(key, { code_sent: true });
    const forged = { ...(await refundFor(key)), token };
    const { store, deps: d } = deps(keySource([key], [key]).source, memoryStore(), async () => ({
      ok: true,
      data: linkAnswer(token, claims, { status: 'paid', paid_at: '2026-11-25T10:00:00.000Z', refunds: [refund, forged] }),
    }));
    const result = await openLinkCode(CODE, true, d);
    expect(result.ok && result.voucher.refunds).toEqual([refund]);
    expect([...store.rows.values()][0]!.refunds).toEqual([refund]);
  });

  it('shows a voucher the shop canceled before the link was first opened, without saving it', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const canceledAt = new Date(1_700_000_000_000 - 60_000).toISOString();
    const { store, deps: d } = deps(keySource([key], [key]).source, memoryStore(), async () => ({
      ok: true,
      data: linkAnswer(token, claims, { status: 'canceled', canceled_at: canceledAt }),
    }));
    const result = await openLinkCode(CODE, true, d);
    expect(result).toMatchObject({ ok: true, saved: false, voucher: { status: 'canceled', merchant: 'Demo Shop of Very Long Names Ltd.' } });
    expect(store.rows.size).toBe(0);
  });

  it('keeps updating a saved voucher the shop canceled after it was saved', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const store = memoryStore();
    const id = voucherIdToString(claims.voucherId);
    const first = await openInlineToken(token, ORIGIN, deps(keySource([key], [key]).source, store).deps);
    expect(first).toMatchObject({ ok: true, saved: true });
    const later = new Date(1_700_000_000_000 + 60_000).toISOString();
    const { deps: d } = deps(keySource([key], [key]).source, store, async () => ({ ok: true, data: linkAnswer(token, claims, { status: 'canceled', canceled_at: later }) }));
    expect(await openLinkCode(CODE, true, d)).toMatchObject({ ok: true, saved: true, voucher: { status: 'canceled' } });
    expect(store.rows.get(id)).toMatchObject({ status: 'canceled', linkCode: CODE });
  });

  it('opens a link seen before from the phone alone, offline', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const store = memoryStore();
    await openLinkCode(CODE, true, deps(keySource([key], [key]).source, store, async () => ({ ok: true, data: linkAnswer(token, claims) })).deps);
    const offline = deps(keySource(null, [], false).source, store, async () => {
      throw new Error('no network call expected');
    });
    const result = await openLinkCode(CODE, false, offline.deps);
    expect(result.ok && result.voucher.token).toBe(token);
  });

  it('asks for a connection for a link never opened on this phone', async () => {
    const result = await openLinkCode(CODE, false, deps(keySource(null, [], false).source).deps);
    expect(result).toMatchObject({ ok: false, reason: 'link_offline' });
  });

  it('reports a link the server does not know', async () => {
    const notFound = async (): Promise<HttpResult<LinkAnswer>> => ({ ok: false, reason: 'status', status: 404, problem: 'not-found', detail: 'voucher link not found' });
    const result = await openLinkCode(CODE, true, deps(keySource(null, [], true).source, memoryStore(), notFound).deps);
    expect(result).toMatchObject({ ok: false, reason: 'link_not_found' });
  });

  it('refuses a link answer whose voucher id or QR does not match its token, and stores nothing', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    for (const bad of [{ voucher_id: 'vch_0000000000000' }, { qr: voucherQrText(ORIGIN, '1234') }]) {
      const { store, deps: d } = deps(keySource([key], [key]).source, memoryStore(), async () => ({ ok: true, data: linkAnswer(token, claims, bad) }));
      expect(await openLinkCode(CODE, true, d)).toMatchObject({ ok: false, reason: 'link_mismatch' });
      expect(store.rows.size).toBe(0);
    }
  });

  it('refuses a link whose token was altered, and stores nothing', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1);
    const token = await sign(key, claims);
    const altered = alter(token, 40);
    const { store, deps: d } = deps(keySource([key], [key]).source, memoryStore(), async () => ({ ok: true, data: linkAnswer(altered, claims) }));
    expect((await openLinkCode(CODE, true, d)).ok).toBe(false);
    expect(store.rows.size).toBe(0);
  });
});
