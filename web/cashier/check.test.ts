import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../core/contract/till.ts';
import type { OperatorJwkSet } from '../../core/token/operator-keys.ts';
import { claimsFor, makeKey, sign, TEST_NOW } from '../shopper/testing.ts';
import { checkReference, checkToken, type CheckPorts } from './check.ts';
import type { ApiResult } from './till.api.ts';
import type { ByReference } from '../../core/contract/till.ts';
import type { VoucherStatusAnswer } from '../../core/contract/voucher-link.ts';

const now = TEST_NOW;
const lease = { currency: 'EUR', ...DEFAULT_LIMITS };

describe('the till’s decision', async () => {
  const current = await makeKey(1);
  const rotated = await makeKey(2);
  const set = (...keys: (typeof current)[]): OperatorJwkSet => ({ keys: keys.map((k) => k.jwk) });

  function ports(
    over: Partial<CheckPorts> = {},
    status: VoucherStatusAnswer['data'][number] | 'network' = { voucher_id: '', status: 'open', paid_at: null, canceled_at: null, refunds: [] },
  ) {
    const calls = { refresh: 0, confirm: 0 };
    const p: CheckPorts = {
      cachedKeys: async () => set(current),
      refreshKeys: async () => {
        calls.refresh++;
        return set(current, rotated);
      },
      lease,
      paidList: new Map(),
      collectedHere: async () => false,
      unsynced: { count: 0, total: 0 },
      lastSyncAt: new Date(now.getTime() - 60_000),
      online: () => false,
      confirm: async (): Promise<ApiResult<VoucherStatusAnswer>> => {
        calls.confirm++;
        return status === 'network' ? { ok: false, reason: 'network' } : { ok: true, data: { data: [status] } };
      },
      now: () => now,
      ...over,
    };
    return { p, calls };
  }

  it('lets the cashier collect a valid voucher inside the lease with no network at all', async () => {
    const token = await sign(current, claimsFor(1, { amount: 4250 }));
    const { p, calls } = ports();
    expect(await checkToken(token, p)).toMatchObject({ ok: true, token, confirmedOnline: false, claims: { amount: 4250 } });
    expect(calls).toEqual({ refresh: 0, confirm: 0 });
  });

  it('refuses offline a voucher above the per-voucher cap, saying it needs the network', async () => {
    const token = await sign(current, claimsFor(1, { amount: DEFAULT_LIMITS.max_voucher_amount + 1 }));
    expect(await checkToken(token, ports().p)).toMatchObject({ ok: false, reason: 'lease_voucher_too_large' });
  });

  it('refuses offline when the unsynced count or total would pass the lease, or the last sync is too old', async () => {
    const token = await sign(current, claimsFor(1, { amount: 1000 }));
    expect(await checkToken(token, ports({ unsynced: { count: DEFAULT_LIMITS.max_unsynced_count, total: 0 } }).p)).toMatchObject({ reason: 'lease_count_exceeded' });
    expect(await checkToken(token, ports({ unsynced: { count: 1, total: DEFAULT_LIMITS.max_unsynced_total } }).p)).toMatchObject({ reason: 'lease_total_exceeded' });
    expect(await checkToken(token, ports({ lastSyncAt: null }).p)).toMatchObject({ reason: 'lease_offline_too_long' });
  });

  it('above the lease and online, collects only what the server confirms open', async () => {
    const claims = claimsFor(1, { amount: DEFAULT_LIMITS.max_voucher_amount + 1 });
    const token = await sign(current, claims);
    const id = ((await checkToken(token, ports({ lease: { ...lease, max_voucher_amount: 10 ** 8 } }).p)) as { voucherId: string }).voucherId;
    const open = ports({ online: () => true }, { voucher_id: id, status: 'open', paid_at: null, canceled_at: null, refunds: [] });
    expect(await checkToken(token, open.p)).toMatchObject({ ok: true, confirmedOnline: true });
    expect(open.calls.confirm).toBe(1);
    expect(await checkToken(token, ports({ online: () => true }, { voucher_id: id, status: 'paid', paid_at: null, canceled_at: null, refunds: [] }).p)).toMatchObject({
      ok: false,
      reason: 'paid_elsewhere',
    });
    expect(await checkToken(token, ports({ online: () => true }, 'network').p)).toMatchObject({ ok: false, reason: 'lease_voucher_too_large' });
  });

  it('refuses a voucher the paid list names, and one this till collected before', async () => {
    const token = await sign(current, claimsFor(1));
    const ok = (await checkToken(token, ports().p)) as { voucherId: string };
    expect(await checkToken(token, ports({ paidList: new Map([[ok.voucherId, 'paid' as const]]) }).p)).toMatchObject({ reason: 'paid_elsewhere' });
    expect(await checkToken(token, ports({ paidList: new Map([[ok.voucherId, 'canceled' as const]]) }).p)).toMatchObject({ reason: 'canceled' });
    expect(await checkToken(token, ports({ collectedHere: async (id) => id === ok.voucherId }).p)).toMatchObject({ reason: 'collected_here' });
  });

  it('fetches the keys again once when a token names a key the till has not seen, if online', async () => {
    const token = await sign(rotated, claimsFor(2));
    const offline = ports();
    expect(await checkToken(token, offline.p)).toMatchObject({ ok: false, reason: 'unknown_key' });
    expect(offline.calls.refresh).toBe(0);
    const online = ports({ online: () => true });
    expect(await checkToken(token, online.p)).toMatchObject({ ok: true });
    expect(online.calls.refresh).toBe(1);
  });

  it('refuses an altered token and a token from a stranger key', async () => {
    const token = await sign(current, claimsFor(1));
    const at = token.length - 10;
    const altered = token.slice(0, at) + ((Number(token[at]) + 1) % 10) + token.slice(at + 1);
    expect((await checkToken(altered, ports().p)).ok).toBe(false);
    const stranger = await makeKey(1);
    expect(await checkToken(await sign(stranger, claimsFor(1)), ports().p)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an expired voucher by the till’s clock', async () => {
    const token = await sign(current, claimsFor(1, { expiresAt: Math.floor(now.getTime() / 1000) - 1 }));
    expect(await checkToken(token, ports().p)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('says the till needs keys when it never synced and is offline', async () => {
    const token = await sign(current, claimsFor(1));
    expect(await checkToken(token, ports({ cachedKeys: async () => null }).p)).toMatchObject({ ok: false, reason: 'keys_unavailable' });
  });
});

describe('a typed reference', async () => {
  const current = await makeKey(1);
  const base = (lookup: () => Promise<ApiResult<ByReference>>, online = true) => ({
    cachedKeys: async () => ({ keys: [current.jwk] }),
    refreshKeys: async () => null,
    lease,
    paidList: new Map(),
    collectedHere: async () => false,
    unsynced: { count: 0, total: 0 },
    lastSyncAt: now,
    online: () => online,
    confirm: async () => ({ ok: false as const, reason: 'network' as const }),
    now: () => now,
    lookup,
  });

  it('is online only: offline, the till says so without asking anyone', async () => {
    let asked = false;
    expect(
      await checkReference(
        '123456789012',
        base(async () => {
          asked = true;
          return { ok: false, reason: 'network' };
        }, false),
      ),
    ).toMatchObject({ reason: 'reference_offline' });
    expect(asked).toBe(false);
  });

  it('says when the server knows no voucher with the reference', async () => {
    expect(
      await checkReference(
        '123456789012',
        base(async () => ({ ok: false, reason: 'status', status: 404, problem: 'not-found', detail: 'none' })),
      ),
    ).toMatchObject({ reason: 'reference_not_found' });
  });

  it('checks the token the server returns exactly like a scanned one, and honours its status', async () => {
    const token = await sign(current, claimsFor(1));
    expect(
      await checkReference(
        '1',
        base(async () => ({ ok: true, data: { voucher_id: 'x', token, status: 'open' } })),
      ),
    ).toMatchObject({ ok: true, token });
    expect(
      await checkReference(
        '1',
        base(async () => ({ ok: true, data: { voucher_id: 'x', token, status: 'paid' } })),
      ),
    ).toMatchObject({ ok: false, reason: 'paid_elsewhere' });
    // The last three digits changed, whatever they were (ending in 000 a token would otherwise be left as it is).
    const altered = `${token.slice(0, -3)}${token.endsWith('000') ? '111' : '000'}`;
    expect(
      (
        await checkReference(
          '1',
          base(async () => ({ ok: true, data: { voucher_id: 'x', token: altered, status: 'open' } })),
        )
      ).ok,
    ).toBe(false);
  });
});
