/**
 * The console's state (docs/console.md): who is signed in, which merchant and mode they look at,
 * and the ways in and out (an e-mail link, a passkey through @simplewebauthn/browser, sign-out).
 * A 401 from any call means the session ended (signed out elsewhere, idle, past its absolute
 * expiry): the console goes back to the sign-in screen and says why.
 */
import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import * as z from 'zod/mini';
import { Me, PasskeyChallenge } from '../../core/contract/console.ts';
import type { HttpResult } from '../app/http.ts';
import { call, type CallContext } from './api.ts';

export type Outcome = { ok: true } | { ok: false; reason: 'canceled' | 'unsupported' | 'failed'; detail: string };

const Empty = z.unknown();

export class ConsoleSession {
  status = $state<'loading' | 'signed-out' | 'ready' | 'offline' | 'failed'>('loading');
  me = $state<z.infer<typeof Me> | null>(null);
  /** Why the last session ended, shown on the sign-in screen. */
  ended = $state<string | null>(null);
  merchant = $state<string | null>(null);
  mode = $state<'live' | 'test'>('live');
  failure = $state('');

  get ctx(): CallContext {
    return { csrf: this.me?.csrf_token ?? null, merchant: this.merchant, mode: this.mode };
  }

  /** The signed-in user's role at the merchant looked at, if any. */
  get role() {
    return this.me?.memberships.find((m) => m.merchant_id === this.merchant)?.role ?? null;
  }

  async load(): Promise<void> {
    const result = await call('/v1/console/me', Me, { csrf: null });
    if (result.ok) return this.signedIn(result.data);
    if (result.reason === 'network') this.status = 'offline';
    else if (result.reason === 'status' && result.status === 401) this.status = 'signed-out';
    else {
      this.failure = result.detail;
      this.status = 'failed';
    }
  }

  private signedIn(me: z.infer<typeof Me>) {
    this.me = me;
    this.ended = null;
    if (!me.memberships.some((m) => m.merchant_id === this.merchant)) this.merchant = me.memberships[0]?.merchant_id ?? null;
    this.status = 'ready';
  }

  /** Every page's calls go through here: a 401 ends the console's session too. */
  async request<S extends z.ZodMiniType>(path: string, schema: S | null, init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown } = {}): Promise<HttpResult<z.infer<S>>> {
    const result = await call(path, schema, this.ctx, init);
    if (!result.ok && result.reason === 'status' && result.status === 401) {
      this.me = null;
      this.ended = result.detail;
      this.status = 'signed-out';
    }
    return result;
  }

  async requestLink(email: string): Promise<HttpResult<unknown>> {
    return call('/v1/console/sign-in-links', null, { csrf: null }, { method: 'POST', body: { email } });
  }

  async useLink(token: string): Promise<HttpResult<unknown>> {
    const result = await call('/v1/console/sessions', Me, { csrf: null }, { method: 'POST', body: { link_token: token } });
    if (result.ok) this.signedIn(result.data);
    return result;
  }

  async signInWithPasskey(): Promise<Outcome> {
    const challenge = await call('/v1/console/passkey-challenges', PasskeyChallenge, { csrf: null }, { method: 'POST' });
    if (!challenge.ok) return { ok: false, reason: 'failed', detail: challenge.reason === 'network' ? 'network' : challenge.detail };
    let answer: unknown;
    try {
      answer = await startAuthentication({ optionsJSON: challenge.data.options as never });
    } catch (error) {
      return passkeyFailure(error);
    }
    const result = await call('/v1/console/sessions', Me, { csrf: null }, { method: 'POST', body: { challenge_id: challenge.data.challenge_id, passkey: answer } });
    if (!result.ok) return { ok: false, reason: 'failed', detail: result.reason === 'network' ? 'network' : result.detail };
    this.signedIn(result.data);
    return { ok: true };
  }

  async addPasskey(): Promise<Outcome> {
    const challenge = await this.request('/v1/console/passkey-registrations', PasskeyChallenge, { method: 'POST' });
    if (!challenge.ok) return { ok: false, reason: 'failed', detail: challenge.reason === 'network' ? 'network' : challenge.detail };
    let answer: unknown;
    try {
      answer = await startRegistration({ optionsJSON: challenge.data.options as never });
    } catch (error) {
      return passkeyFailure(error);
    }
    const result = await this.request('/v1/console/passkeys', Empty, { method: 'POST', body: { challenge_id: challenge.data.challenge_id, passkey: answer } });
    if (!result.ok) return { ok: false, reason: 'failed', detail: result.reason === 'network' ? 'network' : result.detail };
    await this.load();
    return { ok: true };
  }

  async signOut(): Promise<void> {
    await this.request('/v1/console/session', null, { method: 'DELETE' });
    this.me = null;
    this.ended = null;
    this.status = 'signed-out';
  }
}

/** The browser said no: the person canceled (or took too long), or there is no way to use a passkey here. */
function passkeyFailure(error: unknown): Outcome {
  // The library wraps what the browser threw; its `cause` keeps the DOMException's name.
  const cause = (error as { cause?: { name?: string } })?.cause?.name;
  const name = cause ?? (error instanceof WebAuthnError ? error.code : (error as { name?: string })?.name);
  if (name === 'ERROR_CEREMONY_ABORTED' || name === 'NotAllowedError' || name === 'AbortError') return { ok: false, reason: 'canceled', detail: String((error as Error).message) };
  if (name === 'ERROR_INVALID_DOMAIN' || name === 'NotSupportedError' || typeof window.PublicKeyCredential === 'undefined')
    return { ok: false, reason: 'unsupported', detail: String((error as Error).message) };
  return { ok: false, reason: 'failed', detail: String((error as Error).message) };
}
