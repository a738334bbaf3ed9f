import { describe, expect, it } from 'vitest';
import { base64UrlEncode } from '../../core/encoding/bytes.ts';
import type { PushSubscribeBody } from '../../core/contract/push.ts';
import type { HttpResult } from '../app/http.ts';
import { newVoucherRecord, type VoucherRecord } from '../offline/records.ts';
import { applicationServerKey, MAX_TOKENS, pushState, resend, tokensToTell, turnOff, turnOn, type PushDeps, type PushRegistration, type SubscriptionLike } from './push.ts';
import { TEST_NOW } from './testing.ts';

const KEY_BYTES = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : i));
const KEY = base64UrlEncode(KEY_BYTES);
const P256DH = base64UrlEncode(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : 255 - i)));
const AUTH = base64UrlEncode(Uint8Array.from({ length: 16 }, (_, i) => i));

let ids = 0;
function record(overrides: Partial<VoucherRecord> = {}): VoucherRecord {
  ids++;
  return { ...newVoucherRecord({ id: `vch_${String(ids).padStart(13, '0')}`, token: `1${ids}`, qr: 'HTTP://X/V/1', savedAt: ids }), ...overrides };
}

function fakeSubscription(endpoint: string, key: Uint8Array | null = KEY_BYTES) {
  const state = { unsubscribed: false };
  const subscription: SubscriptionLike = {
    endpoint,
    options: { applicationServerKey: key ? new Uint8Array(key).buffer : null },
    toJSON: () => ({ endpoint, keys: { p256dh: P256DH, auth: AUTH } }),
    async unsubscribe() {
      state.unsubscribed = true;
      return true;
    },
  };
  return { subscription, state };
}

/** A phone: its permission, its subscription, the server's answers, and what was asked of each. */
function phone(
  options: { permission?: NotificationPermission; answer?: NotificationPermission; online?: boolean; records?: VoucherRecord[]; held?: SubscriptionLike | null } = {},
) {
  const calls = { prompts: 0, subscribed: [] as Uint8Array[], registered: [] as PushSubscribeBody[], unregistered: [] as string[] };
  const state = {
    permission: options.permission ?? 'default',
    held: options.held ?? null,
    saved: null as PushRegistration | null,
    registerAnswer: null as HttpResult<never> | null,
    unregisterAnswer: { ok: true, data: undefined } as HttpResult<unknown>,
  };
  const deps: PushDeps = {
    supported: () => true,
    permission: () => state.permission,
    requestPermission: async () => {
      calls.prompts++;
      state.permission = options.answer ?? 'granted';
      return state.permission;
    },
    online: () => options.online ?? true,
    getSubscription: async () => state.held,
    subscribe: async (key) => {
      calls.subscribed.push(key);
      state.held = fakeSubscription('https://push.example/new').subscription;
      return state.held;
    },
    fetchKey: async () => ({ ok: true, data: { public_key: KEY } }),
    register: async (body) => {
      calls.registered.push(body);
      return (
        state.registerAnswer ?? {
          ok: true,
          data: { object: 'push_subscription', voucher_ids: (options.records ?? []).map((r) => r.id), unknown_voucher_ids: [], locale: body.locale ?? 'en' },
        }
      );
    },
    unregister: async (endpoint) => {
      calls.unregistered.push(endpoint);
      return state.unregisterAnswer;
    },
    records: async () => options.records ?? [],
    saved: {
      get: () => state.saved,
      set: (r) => {
        state.saved = r;
      },
    },
    now: () => TEST_NOW.getTime(),
  };
  return { deps, calls, state };
}

describe('the server’s key', () => {
  it('takes an uncompressed P-256 point in base64url, and nothing else', () => {
    expect(applicationServerKey(KEY)).toEqual(KEY_BYTES);
    expect(applicationServerKey(`${KEY}=`)).toEqual(KEY_BYTES);
    expect(applicationServerKey(base64UrlEncode(KEY_BYTES.slice(1)))).toBeNull();
    expect(applicationServerKey(base64UrlEncode(Uint8Array.from(KEY_BYTES, (b, i) => (i === 0 ? 2 : b))))).toBeNull();
    expect(applicationServerKey('not a key!')).toBeNull();
  });
});

describe('which vouchers the server is told about', () => {
  it('the ones it may still have news of, newest first as the wallet lists them, at most fifty', () => {
    const open = record();
    const paidLongAgo = record({ status: 'paid', paidAt: '2025-01-01T00:00:00Z' });
    const paidYesterday = record({ status: 'paid', paidAt: new Date(TEST_NOW.getTime() - 86_400_000).toISOString() });
    expect(tokensToTell([open, paidLongAgo, paidYesterday], TEST_NOW.getTime())).toEqual([open.token, paidYesterday.token]);
    const many = Array.from({ length: 60 }, () => record());
    expect(tokensToTell(many, TEST_NOW.getTime())).toEqual(many.slice(0, MAX_TOKENS).map((r) => r.token));
  });
});

describe('turning notifications on', () => {
  it('asks for permission as the tap’s first act, then subscribes under the server’s key and tells the server the phone’s vouchers and language', async () => {
    const vouchers = [record(), record()];
    const { deps, calls, state } = phone({ records: vouchers });
    const pending = turnOn(deps, 'zh');
    // Before any await has let go of the tap: the browser sees the prompt as the shopper's own.
    expect(calls.prompts).toBe(1);
    expect(await pending).toEqual({ ok: true });
    expect(calls.subscribed).toEqual([KEY_BYTES]);
    expect(calls.registered).toEqual([
      { subscription: { endpoint: 'https://push.example/new', keys: { p256dh: P256DH, auth: AUTH } }, tokens: vouchers.map((v) => v.token), locale: 'zh' },
    ]);
    expect(state.saved).toEqual({ endpoint: 'https://push.example/new', locale: 'zh', voucherIds: vouchers.map((v) => v.id) });
    expect(await pushState(deps)).toBe('on');
  });

  it('offline, says so without asking for permission', async () => {
    const { deps, calls } = phone({ online: false, records: [record()] });
    expect(await turnOn(deps, 'en')).toEqual({ ok: false, failure: 'offline' });
    expect(calls.prompts).toBe(0);
  });

  it('stops at a refusal or a dismissed prompt, subscribing nothing', async () => {
    for (const [answer, failure] of [
      ['denied', 'denied'],
      ['default', 'dismissed'],
    ] as const) {
      const { deps, calls, state } = phone({ answer, records: [record()] });
      expect(await turnOn(deps, 'en')).toEqual({ ok: false, failure });
      expect(calls.subscribed).toEqual([]);
      expect(calls.registered).toEqual([]);
      expect(state.saved).toBeNull();
    }
  });

  it('replaces a subscription made under another key, and reuses one made under this key', async () => {
    const old = fakeSubscription(
      'https://push.example/old',
      Uint8Array.from(KEY_BYTES, (b, i) => (i === 1 ? 99 : b)),
    );
    const first = phone({ permission: 'granted', held: old.subscription, records: [record()] });
    expect(await turnOn(first.deps, 'en')).toEqual({ ok: true });
    expect(old.state.unsubscribed).toBe(true);
    expect(first.calls.registered[0]!.subscription.endpoint).toBe('https://push.example/new');

    const same = fakeSubscription('https://push.example/same');
    const second = phone({ permission: 'granted', held: same.subscription, records: [record()] });
    expect(await turnOn(second.deps, 'en')).toEqual({ ok: true });
    expect(second.calls.subscribed).toEqual([]);
    expect(second.calls.registered[0]!.subscription.endpoint).toBe('https://push.example/same');
  });

  it('is not on when the server refused or could not be reached', async () => {
    const { deps, state } = phone({ records: [record()] });
    state.registerAnswer = { ok: false, reason: 'status', status: 400, problem: 'invalid-request', detail: 'bad token' };
    expect(await turnOn(deps, 'en')).toEqual({ ok: false, failure: 'failed' });
    state.registerAnswer = { ok: false, reason: 'network' };
    expect(await turnOn(deps, 'en')).toEqual({ ok: false, failure: 'offline' });
    expect(state.saved).toBeNull();
    expect(await pushState(deps)).toBe('off');
  });
});

describe('while notifications are on', () => {
  async function on(records: VoucherRecord[]) {
    const p = phone({ records });
    await turnOn(p.deps, 'en');
    p.calls.registered.length = 0;
    return p;
  }

  it('tells the server again when a voucher is added, but not for one it was already told about', async () => {
    const vouchers = [record()];
    const { deps, calls } = await on(vouchers);
    expect(await resend(deps, { unlessTold: vouchers[0]!.id })).toEqual({ ok: true });
    expect(calls.registered).toEqual([]);
    const added = record();
    vouchers.unshift(added);
    await resend(deps, { unlessTold: added.id });
    expect(calls.registered.map((b) => b.tokens)).toEqual([[added.token, vouchers[1]!.token]]);
  });

  it('tells the server the wallet’s new language', async () => {
    const vouchers = [record()];
    const { deps, calls, state } = await on(vouchers);
    await resend(deps, { locale: 'zh', unlessTold: vouchers[0]!.id });
    expect(calls.registered.map((b) => b.locale)).toEqual(['zh']);
    expect(state.saved?.locale).toBe('zh');
  });

  it('turns itself off on the server once no voucher is left to tell about', async () => {
    const vouchers = [record()];
    const { deps, calls, state } = await on(vouchers);
    vouchers.length = 0;
    await resend(deps);
    expect(calls.registered).toEqual([]);
    expect(calls.unregistered).toEqual(['https://push.example/new']);
    expect(state.saved).toBeNull();
  });

  it('reads as off when the browser dropped the subscription or the permission, and mends a renewed endpoint', async () => {
    const dropped = await on([record()]);
    dropped.state.held = null;
    expect(await pushState(dropped.deps)).toBe('off');
    expect(dropped.state.saved).toBeNull();

    const blocked = await on([record()]);
    blocked.state.permission = 'denied';
    expect(await pushState(blocked.deps)).toBe('denied');

    const renewed = await on([record()]);
    renewed.state.held = fakeSubscription('https://push.example/renewed').subscription;
    expect(await pushState(renewed.deps)).toBe('on');
    expect(renewed.calls.registered.map((b) => b.subscription.endpoint)).toEqual(['https://push.example/renewed']);
    expect(renewed.state.saved?.endpoint).toBe('https://push.example/renewed');
  });

  it('turns off: the server forgets the endpoint and the browser drops the subscription, offline too', async () => {
    for (const answer of [
      { ok: true, data: undefined },
      { ok: false, reason: 'network' },
    ] as HttpResult<unknown>[]) {
      const { deps, calls, state } = await on([record()]);
      const held = state.held!;
      state.unregisterAnswer = answer;
      let dropped = false;
      state.held = { ...held, endpoint: held.endpoint, unsubscribe: async () => (dropped = true) };
      await turnOff(deps);
      expect(calls.unregistered).toEqual(['https://push.example/new']);
      expect(dropped).toBe(true);
      expect(state.saved).toBeNull();
    }
  });
});
