/**
 * Who may use the console and how they prove it (docs/console.md): users, their roles at merchants,
 * sign-in links sent by e-mail, passkeys (WebAuthn through @simplewebauthn/server), sessions with an
 * idle and an absolute expiry, and the audit log of everything a person changed.
 *
 * No password exists anywhere. Every secret the server hands out (a session's token, a sign-in
 * link) is stored as its SHA-256 only: 256 random bits need no salt or stretching.
 */
import { createHash } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { base32Encode, base64UrlDecode, base64UrlEncode, randomBytes } from '../../core/encoding/bytes.ts';
import type { Clock } from '../clock.ts';
import type { Db, Tx } from '../db/client.ts';
import type { ConsoleRole } from '../db/schema.ts';
import { ConsoleAccessError, CounterpayError, NotFoundError, SessionEndedError, SignInFailedError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Mailer } from '../messages/delivery.ts';
import { networkRepository } from '../network/network.repository.ts';
import { consoleRepository as repo, type AuditRow, type MembershipView, type SessionRow, type UserRow } from './console.repository.ts';
import { signInMail } from './sign-in-mail.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const newSecret = () => base32Encode(randomBytes(32));

export interface ConsoleSettings {
  /** A session ends this long after its last request (default 30 minutes). */
  idleMs: number;
  /** A session ends this long after sign-in, however busy (default 12 hours). */
  absoluteMs: number;
}

export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
/** A sign-in link works once, within this time (an invitation's a little longer: it waits in an inbox). */
export const SIGN_IN_LINK_MS = 15 * 60_000;
export const INVITATION_LINK_MS = 72 * 3_600_000;
/** A passkey ceremony's challenge, single use. */
const CHALLENGE_MS = 5 * 60_000;
/** lastSeenAt is written at most this often, so that reading a page is not a write. */
const TOUCH_MS = 60_000;

/** Where a request came from, for the session and the audit log. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** Who acts: a signed-in user, or the operator's command line. */
export type Actor = { kind: 'user'; user: UserRow } | { kind: 'cli' };

export interface SignedIn {
  session: SessionRow;
  user: UserRow;
}

/** A user as the console shows them to themselves. */
export interface Me {
  id: string;
  email: string;
  operator: boolean;
  memberships: { merchant_id: string; merchant_name: string; role: ConsoleRole }[];
  passkeys: number;
  csrf_token: string;
  session_expires_at: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  merchant_id: string | null;
  ip: string | null;
  user_agent: string | null;
  outcome: 'started' | 'succeeded' | 'failed';
  result: string | null;
}

const ROLE_RANK: Record<ConsoleRole, number> = { viewer: 0, developer: 1, admin: 2 };
/** True when `role` may do what `needed` may. */
export const roleAtLeast = (role: ConsoleRole, needed: ConsoleRole) => ROLE_RANK[role] >= ROLE_RANK[needed];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
function normalEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !EMAIL.test(e))
    throw new ValidationError(`not an e-mail address: ${JSON.stringify(email.slice(0, 80))}`, [{ field: 'email', message: 'an e-mail address' }]);
  return e;
}

const auditJson = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  target: r.target,
  merchant_id: r.merchantId,
  ip: r.ip,
  user_agent: r.userAgent,
  outcome: r.outcome,
  result: r.result,
});

export class ConsoleService {
  private readonly rpId: string;
  private readonly origin: string;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly mailer: Mailer,
    readonly settings: ConsoleSettings = DEFAULT_CONSOLE_SETTINGS,
  ) {
    const url = new URL(publicUrl);
    this.rpId = url.hostname;
    this.origin = url.origin;
  }

  /** The origin every state-changing console request must come from (the CSRF rule). */
  get expectedOrigin(): string {
    return this.origin;
  }

  // ---- users and roles ----------------------------------------------------------------------

  /** The operator's command line makes users (an operator's first user among them). */
  async createUser(email: string, operator: boolean): Promise<{ user: UserRow; created: boolean }> {
    const address = normalEmail(email);
    return this.db.transaction(async (tx) => {
      const result = await repo.insertUser(tx, { id: newId('usr'), email: address, operator, createdAt: this.clock.now(), createdBy: 'cli' });
      if (!result.created && operator && !result.user.operator) {
        await repo.setOperator(tx, result.user.id, true);
        return { user: { ...result.user, operator: true }, created: false };
      }
      return result;
    });
  }

  /** A sign-in link for a user, made by the command line when e-mail cannot reach them (first start without SMTP). */
  async signInLinkFor(email: string): Promise<{ url: string; expires_at: string }> {
    const user = await repo.userByEmail(this.db, normalEmail(email));
    if (!user) throw new NotFoundError('user', email);
    const { url, expiresAt } = await this.newLink(this.db, user.id, SIGN_IN_LINK_MS);
    return { url, expires_at: expiresAt.toISOString() };
  }

  async listUsers(): Promise<{ id: string; email: string; operator: boolean; created_at: string }[]> {
    return (await repo.listUsers(this.db)).map((u) => ({ id: u.id, email: u.email, operator: u.operator, created_at: u.createdAt.toISOString() }));
  }

  /**
   * Invites someone: an operator (operators only), or a user at a merchant with a role (an operator,
   * or that merchant's admin). The user is made if new; the invitation e-mail carries a sign-in link.
   */
  async invite(
    by: UserRow,
    input: { email: string; operator?: boolean; merchantId?: string; role?: ConsoleRole },
  ): Promise<{ user_id: string; email: string; created: boolean; email_sent: boolean; email_detail: string | null }> {
    const email = normalEmail(input.email);
    let merchantName: string | undefined;
    if (input.operator) {
      if (!by.operator) throw new ConsoleAccessError('only an operator may invite an operator');
    } else {
      if (!input.merchantId || !input.role)
        throw new ValidationError('an invitation names a merchant and a role, or says operator', [{ field: 'merchant_id', message: 'required' }]);
      merchantName = (await networkRepository.liveMerchant(this.db, input.merchantId))?.name;
      if (merchantName === undefined) throw new NotFoundError('merchant', input.merchantId);
      if (!by.operator) {
        const role = await repo.membership(this.db, by.id, input.merchantId);
        if (role !== 'admin') throw new ConsoleAccessError(`only an operator or an admin of merchant ${input.merchantId} may invite its users`);
      }
    }
    const now = this.clock.now();
    // The user, the role and the link are written together; the e-mail goes after commit.
    const { user, created, url } = await this.db.transaction(async (tx) => {
      const { user, created } = await repo.insertUser(tx, { id: newId('usr'), email, operator: Boolean(input.operator), createdAt: now, createdBy: by.id });
      if (input.operator && !user.operator) await repo.setOperator(tx, user.id, true);
      if (input.merchantId && input.role) await repo.upsertMembership(tx, { userId: user.id, merchantId: input.merchantId, role: input.role, createdAt: now });
      const { url } = await this.newLink(tx, user.id, INVITATION_LINK_MS);
      return { user, created, url };
    });
    // The invitation stands whether or not the e-mail goes: a failed send is said, not an error
    // (the invitee can ask for a sign-in link, or the operator can make one with the CLI).
    let sent: { email_sent: boolean; email_detail: string | null };
    try {
      await this.mailer.send(signInMail({ to: email, url, kind: 'invitation', invitedBy: by.email, merchantName, role: input.role, validMs: INVITATION_LINK_MS }));
      sent = { email_sent: true, email_detail: null };
    } catch (error) {
      if (!(error instanceof CounterpayError)) throw error;
      sent = { email_sent: false, email_detail: error.message };
    }
    return { user_id: user.id, email: user.email, created, ...sent };
  }

  async members(merchantId: string) {
    return (await repo.merchantMembers(this.db, merchantId)).map((m) => ({ user_id: m.userId, email: m.email, role: m.role, created_at: m.createdAt.toISOString() }));
  }

  /** The merchants the user works for, with the role at each. */
  memberships(userId: string): Promise<MembershipView[]> {
    return repo.memberships(this.db, userId);
  }

  /** The user's role at a live merchant, or undefined. */
  roleAt(userId: string, merchantId: string): Promise<ConsoleRole | undefined> {
    return repo.membership(this.db, userId, merchantId);
  }

  async me(signedIn: SignedIn): Promise<Me> {
    const [memberships, keys] = await Promise.all([repo.memberships(this.db, signedIn.user.id), repo.passkeysOf(this.db, signedIn.user.id)]);
    return {
      id: signedIn.user.id,
      email: signedIn.user.email,
      operator: signedIn.user.operator,
      memberships: memberships.map((m: MembershipView) => ({ merchant_id: m.merchantId, merchant_name: m.merchantName, role: m.role })),
      passkeys: keys.length,
      csrf_token: signedIn.session.csrfToken,
      session_expires_at: this.sessionEnd(signedIn.session).toISOString(),
    };
  }

  // ---- sign-in links --------------------------------------------------------------------------

  private async newLink(tx: Tx, userId: string, validMs: number): Promise<{ url: string; expiresAt: Date }> {
    const token = newSecret();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + validMs);
    await repo.insertSignInLink(tx, { hash: sha256Hex(token), userId, createdAt: now, expiresAt });
    // The token rides in the fragment: browsers never send it to a server or in a Referer, and a
    // mail scanner that fetches the link cannot use it up (the page posts it).
    return { url: `${this.publicUrl}/console/sign-in#token=${token}`, expiresAt };
  }

  /**
   * Sends a sign-in link to the address if a user has it, and says the same either way, so the
   * answer does not tell who has an account. A send that fails is said (503): the user can try again.
   */
  async requestSignInLink(email: string): Promise<void> {
    const user = await repo.userByEmail(this.db, normalEmail(email));
    if (!user) return;
    const { url } = await this.newLink(this.db, user.id, SIGN_IN_LINK_MS);
    await this.mailer.send(signInMail({ to: user.email, url, kind: 'sign-in', validMs: SIGN_IN_LINK_MS }));
  }

  async signInWithLink(token: string, meta: RequestMeta): Promise<{ signedIn: SignedIn; token: string }> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const userId = await repo.useSignInLink(tx, sha256Hex(token), now);
      if (!userId) {
        const link = await repo.signInLink(tx, sha256Hex(token));
        throw new SignInFailedError(
          !link
            ? 'this sign-in link is not valid: ask for a new one'
            : link.usedAt
              ? 'this sign-in link was used already: each works once; ask for a new one'
              : `this sign-in link expired at ${link.expiresAt.toISOString()}: ask for a new one`,
        );
      }
      return this.startSession(tx, userId, 'email-link', meta);
    });
  }

  // ---- passkeys -------------------------------------------------------------------------------

  /** Options for the browser to make a passkey for the signed-in user; the challenge is kept for one use. */
  async passkeyRegistrationOptions(user: UserRow): Promise<{ challenge_id: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const existing = await repo.passkeysOf(this.db, user.id);
    const options = await generateRegistrationOptions({
      rpName: 'Counterpay',
      rpID: this.rpId,
      userName: user.email,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
      // A discoverable credential: signing in then needs no e-mail typed first.
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    const challengeId = await this.keepChallenge(options.challenge, 'register', user.id);
    return { challenge_id: challengeId, options };
  }

  async registerPasskey(user: UserRow, challengeId: string, response: RegistrationResponseJSON): Promise<{ id: string; created_at: string }> {
    const now = this.clock.now();
    const challenge = await repo.useChallenge(this.db, challengeId, 'register', now);
    if (!challenge || challenge.userId !== user.id) throw new SignInFailedError('this passkey request has expired or was used: start again');
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: false,
      });
    } catch (error) {
      throw new SignInFailedError(`the passkey could not be verified: ${(error as Error).message}`);
    }
    if (!verified.verified) throw new SignInFailedError('the passkey could not be verified');
    const { credential } = verified.registrationInfo;
    const inserted = await repo.insertPasskey(this.db, {
      id: credential.id,
      userId: user.id,
      publicKey: base64UrlEncode(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports ?? [],
      createdAt: now,
    });
    if (!inserted) throw new SignInFailedError('this passkey is registered already');
    return { id: credential.id, created_at: now.toISOString() };
  }

  /** Options for signing in with any passkey of this site (discoverable: the browser offers the user's). */
  async passkeySignInOptions(): Promise<{ challenge_id: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    const options = await generateAuthenticationOptions({ rpID: this.rpId, userVerification: 'preferred', allowCredentials: [] });
    return { challenge_id: await this.keepChallenge(options.challenge, 'sign-in', null), options };
  }

  async signInWithPasskey(challengeId: string, response: AuthenticationResponseJSON, meta: RequestMeta): Promise<{ signedIn: SignedIn; token: string }> {
    const now = this.clock.now();
    const challenge = await repo.useChallenge(this.db, challengeId, 'sign-in', now);
    if (!challenge) throw new SignInFailedError('this sign-in request has expired or was used: start again');
    const passkey = await repo.passkey(this.db, response.id);
    if (!passkey) throw new SignInFailedError('this passkey is not registered with Counterpay: sign in with an e-mail link and add it again');
    let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        credential: { id: passkey.id, publicKey: base64UrlDecode(passkey.publicKey) as Uint8Array<ArrayBuffer>, counter: passkey.counter, transports: passkey.transports as never },
        requireUserVerification: false,
      });
    } catch (error) {
      throw new SignInFailedError(`the passkey could not be verified: ${(error as Error).message}`);
    }
    if (!result.verified) throw new SignInFailedError('the passkey could not be verified');
    return this.db.transaction(async (tx) => {
      if (!(await repo.advancePasskey(tx, passkey.id, passkey.counter, result.authenticationInfo.newCounter, now)))
        throw new SignInFailedError('this passkey was used for another sign-in at the same moment: try again');
      return this.startSession(tx, passkey.userId, 'passkey', meta);
    });
  }

  private async keepChallenge(challenge: string, purpose: 'register' | 'sign-in', userId: string | null): Promise<string> {
    const id = newId('chl');
    await repo.insertChallenge(this.db, { id, challenge, purpose, userId, expiresAt: new Date(this.clock.now().getTime() + CHALLENGE_MS) });
    return id;
  }

  // ---- sessions -------------------------------------------------------------------------------

  private async startSession(tx: Tx, userId: string, method: 'passkey' | 'email-link', meta: RequestMeta): Promise<{ signedIn: SignedIn; token: string }> {
    const user = await repo.userById(tx, userId);
    if (!user) throw new SignInFailedError('this user no longer exists');
    const token = newSecret();
    const now = this.clock.now();
    const session: SessionRow = {
      id: newId('ses'),
      hash: sha256Hex(token),
      userId,
      csrfToken: base32Encode(randomBytes(20)),
      method,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.settings.absoluteMs),
      endedAt: null,
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    await repo.insertSession(tx, session);
    await this.writeAudit(tx, { kind: 'user', user }, { action: 'session.create', target: session.id, merchantId: null }, meta, 'succeeded', method);
    return { signedIn: { session, user }, token };
  }

  /** When the session ends if nothing else happens: idle or absolute expiry, whichever is first. */
  sessionEnd(s: SessionRow): Date {
    return new Date(Math.min(s.lastSeenAt.getTime() + this.settings.idleMs, s.expiresAt.getTime()));
  }

  /** The session a cookie's token opens, or a precise refusal; moves its idle expiry forward. */
  async authenticate(token: string): Promise<SignedIn> {
    const found = await repo.sessionByHash(this.db, sha256Hex(token));
    if (!found) throw new SessionEndedError('you are not signed in: sign in again');
    const now = this.clock.now();
    const { session } = found;
    if (session.endedAt) throw new SessionEndedError(`this session ended at ${session.endedAt.toISOString()} (signed out): sign in again`);
    if (now >= session.expiresAt) throw new SessionEndedError(`this session expired at ${session.expiresAt.toISOString()}: sign in again`);
    if (now.getTime() >= session.lastSeenAt.getTime() + this.settings.idleMs)
      throw new SessionEndedError(`this session expired after ${Math.round(this.settings.idleMs / 60_000)} minutes without use: sign in again`);
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_MS) {
      await repo.touchSession(this.db, session.id, now);
      session.lastSeenAt = now;
    }
    return found;
  }

  async signOut(signedIn: SignedIn, meta: RequestMeta): Promise<void> {
    await this.db.transaction(async (tx) => {
      await repo.endSession(tx, signedIn.session.id, this.clock.now());
      await this.writeAudit(tx, { kind: 'user', user: signedIn.user }, { action: 'session.end', target: signedIn.session.id, merchantId: null }, meta, 'succeeded', null);
    });
  }

  private lastSweep = Number.NEGATIVE_INFINITY;

  /** The worker's sweep, every ten minutes: links, challenges and sessions that can no longer be used (how many rows went). */
  async sweepIfDue(): Promise<number> {
    const now = this.clock.now();
    if (now.getTime() - this.lastSweep < 10 * 60_000) return 0;
    this.lastSweep = now.getTime();
    return repo.sweep(this.db, now);
  }

  // ---- the audit log --------------------------------------------------------------------------

  private async writeAudit(
    tx: Tx,
    actor: Actor,
    what: { action: string; target: string | null; merchantId: string | null },
    meta: RequestMeta,
    outcome: 'started' | 'succeeded',
    result: string | null,
  ): Promise<string> {
    const id = newId('aud');
    await repo.insertAudit(tx, {
      id,
      at: this.clock.now(),
      userId: actor.kind === 'user' ? actor.user.id : null,
      actor: actor.kind === 'user' ? actor.user.email : 'cli',
      action: what.action,
      target: what.target,
      merchantId: what.merchantId,
      ip: meta.ip,
      userAgent: meta.userAgent,
      outcome,
      result,
    });
    return id;
  }

  /**
   * Runs a change with its audit row around it: `started` is committed before the change runs, and
   * the outcome (the HTTP status or the error's code) is written after. So nothing changes without
   * a row saying who tried; a crash in between leaves `started`, which says the outcome is unknown.
   */
  async audited<T>(
    actor: Actor,
    what: { action: string; target: string | null; merchantId: string | null },
    meta: RequestMeta,
    run: () => Promise<T>,
    resultOf: (value: T) => { ok: boolean; result: string; target?: string | null },
  ): Promise<T> {
    const id = await this.writeAudit(this.db, actor, what, meta, 'started', null);
    let value: T;
    try {
      value = await run();
    } catch (error) {
      const code = error instanceof CounterpayError ? error.code : 'internal';
      await repo.finishAudit(this.db, id, 'failed', code, null).catch(() => {});
      throw error;
    }
    const { ok, result, target } = resultOf(value);
    await repo.finishAudit(this.db, id, ok ? 'succeeded' : 'failed', result, target ?? null);
    return value;
  }

  /** The audit log, newest first; `merchantId` narrows it to one merchant's. */
  async auditLog(filter: { merchantId?: string; limit: number; startingAfter?: string }): Promise<{ data: AuditEntry[]; has_more: boolean }> {
    let before: { at: Date; id: string } | undefined;
    if (filter.startingAfter) {
      const entry = await repo.auditEntry(this.db, filter.startingAfter);
      if (!entry || (filter.merchantId && entry.merchantId !== filter.merchantId)) throw new NotFoundError('audit entry', filter.startingAfter);
      before = { at: entry.at, id: entry.id };
    }
    const rows = await repo.auditPage(this.db, { merchantId: filter.merchantId, limit: filter.limit + 1, before });
    return { data: rows.slice(0, filter.limit).map(auditJson), has_more: rows.length > filter.limit };
  }
}
