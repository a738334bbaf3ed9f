/**
 * The console's sign-in and sessions (docs/console.md) over the real routes, with e-mail through a
 * real SMTP server on 127.0.0.1 and the API's fake clock: sign-in links (once, 15 minutes, no
 * account enumeration), cookie sessions (idle and absolute expiry, sign-out ends them on the
 * server), the cross-site rule, roles at merchants, invitations and the audit log. Both drivers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite, PUBLIC_URL, tillRequest } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import { startSmtp, type Smtp } from '../support/smtp.ts';
import { SmtpMailer } from '../../api/messages/smtp-mailer.ts';
import type { Mailer } from '../../api/messages/delivery.ts';
import { runCommand } from '../../api/operator/commands.ts';

const ORIGIN = new URL(PUBLIC_URL).origin;

describe.each(drivers)('console sign-in on $name', (driver) => {
  let smtp: Smtp;
  let smtpMailer: SmtpMailer;
  beforeAll(async () => {
    smtp = await startSmtp();
    smtpMailer = new SmtpMailer(smtp.url(), 'Counterpay <console@counterpay.test>', { timeoutMs: 5000 });
  });
  afterAll(async () => {
    smtpMailer?.close();
    await smtp?.close();
  });
  // The harness is made before SMTP's port is known: this mailer hands each mail to the real one.
  const mailer: Mailer = { send: (mail) => smtpMailer.send(mail) };
  const s = harnessPerSuite(driver, { mailer });

  /** A console request: the cookie, and for writes the console's Origin and the session's CSRF token unless told otherwise. */
  const consoleReq = (method: string, path: string, session: Session | null, body?: unknown, headers: Record<string, string> = {}) =>
    s.h.req(method, path, body, {
      key: null,
      headers: {
        ...(session ? { cookie: session.cookie } : {}),
        ...(method !== 'GET' ? { origin: ORIGIN, ...(session ? { 'x-csrf-token': session.csrf } : {}) } : {}),
        ...headers,
      },
    });

  interface Session {
    cookie: string;
    csrf: string;
    setCookie: string;
  }

  /** The link in the newest e-mail to `to`, and its token. */
  const lastLinkTo = (to: string) => {
    const mail = [...smtp.received].reverse().find((r) => r.envelope.to.includes(to));
    expect(mail, `an e-mail to ${to}`).toBeDefined();
    const url = /https?:\/\/\S+#token=[0-9a-z]+/.exec(mail!.mail.text ?? '')?.[0];
    expect(url, 'a sign-in link in the e-mail').toBeDefined();
    return { url: url!, token: url!.split('#token=')[1]!, subject: mail!.mail.subject };
  };

  const signInWithLink = async (token: string): Promise<Session> => {
    const res = await consoleReq('POST', '/v1/console/sessions', null, { link_token: token });
    expect(res.status, await res.clone().text()).toBe(201);
    const setCookie = res.headers.get('set-cookie')!;
    const me = (await res.json()) as { csrf_token: string };
    return { cookie: setCookie.split(';')[0]!, csrf: me.csrf_token, setCookie };
  };

  /** A session for `email` through a sign-in link the command line makes (the e-mailed ones are tested above; their rate limit stays out of the way). */
  const signIn = async (email: string): Promise<Session> => signInWithLink((await s.h.services.console.signInLinkFor(email)).url.split('#token=')[1]!);

  it('signs a command-line operator in with a link sent by e-mail, into an HttpOnly, Secure, SameSite=Strict cookie session', async () => {
    const made = await runCommand(s.h.services, ['user', 'create', '--operator', '--email', 'Ops@Example.com']);
    expect(made.json).toMatchObject({ email: 'ops@example.com', operator: true, created: true });
    const before = smtp.received.length;
    expect((await consoleReq('POST', '/v1/console/sign-in-links', null, { email: 'ops@example.com' })).status).toBe(202);
    expect(smtp.received.length).toBe(before + 1);
    const link = lastLinkTo('ops@example.com');
    expect(link.url.startsWith(`${PUBLIC_URL}/console/sign-in#token=`)).toBe(true);
    const session = await signInWithLink(link.token);
    expect(session.setCookie).toMatch(/^__Host-counterpay_session=[0-9a-z]{52}; Path=\/; Max-Age=43200; HttpOnly; Secure; SameSite=Strict$/);
    const me = await consoleReq('GET', '/v1/console/me', session);
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(await me.json()).toMatchObject({ email: 'ops@example.com', operator: true, memberships: [], passkeys: 0, csrf_token: session.csrf });
  });

  it('answers an address no user has as it answers one it knows, and sends nothing', async () => {
    const before = smtp.received.length;
    const res = await consoleReq('POST', '/v1/console/sign-in-links', null, { email: 'nobody@example.com' });
    expect(res.status).toBe(202);
    expect(smtp.received.length).toBe(before);
    const bad = await consoleReq('POST', '/v1/console/sign-in-links', null, { email: 'not an address' });
    expect(bad.status).toBe(400);
  });

  it('takes a sign-in link once, and not after its 15 minutes', async () => {
    await runCommand(s.h.services, ['user', 'create', '--email', 'once@example.com']);
    await consoleReq('POST', '/v1/console/sign-in-links', null, { email: 'once@example.com' });
    const { token } = lastLinkTo('once@example.com');
    await signInWithLink(token);
    const again = await consoleReq('POST', '/v1/console/sessions', null, { link_token: token });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ type: '/docs/problems#sign-in-failed', detail: expect.stringContaining('used already') });

    await consoleReq('POST', '/v1/console/sign-in-links', null, { email: 'once@example.com' });
    const late = lastLinkTo('once@example.com').token;
    s.h.clock.advance(15 * 60_000 + 1);
    const expired = await consoleReq('POST', '/v1/console/sessions', null, { link_token: late });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { detail: string }).detail).toContain('expired');
    const unknown = await consoleReq('POST', '/v1/console/sessions', null, { link_token: 'AAAA' });
    expect(unknown.status).toBe(401);
  });

  it('ends a session after 30 idle minutes, and after 12 hours however busy', async () => {
    const idle = await signIn('ops@example.com');
    s.h.clock.advance(29 * 60_000);
    expect((await consoleReq('GET', '/v1/console/me', idle)).status).toBe(200);
    s.h.clock.advance(29 * 60_000);
    expect((await consoleReq('GET', '/v1/console/me', idle)).status, 'the request 29 minutes earlier kept it alive').toBe(200);
    s.h.clock.advance(30 * 60_000);
    const ended = await consoleReq('GET', '/v1/console/me', idle);
    expect(ended.status).toBe(401);
    expect(await ended.json()).toMatchObject({ type: '/docs/problems#session-ended', detail: expect.stringContaining('30 minutes without use') });

    const busy = await signIn('ops@example.com');
    for (let h = 0; h < 12 * 3; h++) {
      expect((await consoleReq('GET', '/v1/console/me', busy)).status).toBe(200);
      s.h.clock.advance(20 * 60_000);
    }
    const past = await consoleReq('GET', '/v1/console/me', busy);
    expect(past.status).toBe(401);
    expect(((await past.json()) as { detail: string }).detail).toMatch(/expired at .*sign in again/);
  });

  it('ends the session on the server at sign-out: the same cookie opens nothing after', async () => {
    const session = await signIn('ops@example.com');
    const out = await consoleReq('DELETE', '/v1/console/session', session);
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-counterpay_session=; Path=\/; Max-Age=0; HttpOnly; Secure; SameSite=Strict$/);
    const after = await consoleReq('GET', '/v1/console/me', session);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { detail: string }).detail).toContain('signed out');
  });

  it('refuses a state-changing request from another origin, without an Origin, or without the CSRF token, and changes nothing', async () => {
    const session = await signIn('ops@example.com');
    const invitation = { email: 'csrf-victim@example.com', operator: true };
    const users = async () => (await s.h.services.console.listUsers()).length;
    const count = await users();
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'x-csrf-token': 'WRONG' }] as Record<string, string>[]) {
      const res = await consoleReq('POST', '/v1/console/invitations', session, invitation, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ type: '/docs/problems#cross-site-request' });
    }
    const noOrigin = await s.h.req('POST', '/v1/console/invitations', invitation, { key: null, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
    expect(noOrigin.status).toBe(403);
    const crossSiteSignIn = await s.h.req('POST', '/v1/console/sign-in-links', { email: 'ops@example.com' }, { key: null, headers: { origin: 'https://evil.example' } });
    expect(crossSiteSignIn.status).toBe(403);
    expect(await users()).toBe(count);
    const ok = await consoleReq('POST', '/v1/console/invitations', session, invitation);
    expect(ok.status).toBe(201);
    expect(await users()).toBe(count + 1);
  });

  it('gives merchant users their merchant only, and a viewer reads but changes nothing', async () => {
    const ops = await signIn('ops@example.com');
    const merchantA = s.h.merchantA;
    for (const [email, role] of [
      ['admin-a@example.com', 'admin'],
      ['viewer-a@example.com', 'viewer'],
    ] as const) {
      const res = await consoleReq('POST', '/v1/console/invitations', ops, { email, merchant_id: merchantA, role });
      expect(res.status).toBe(201);
      expect(lastLinkTo(email).subject).toContain('invited');
    }
    const voucher = (await (await s.h.req('POST', '/v1/vouchers', { order_ref: 'CON-1', amount: 1200, currency: 'EUR' })).json()) as { id: string };
    const viewer = await signInWithLink(lastLinkTo('viewer-a@example.com').token);
    const admin = await signInWithLink(lastLinkTo('admin-a@example.com').token);

    const read = await consoleReq('GET', `/v1/vouchers/${voucher.id}`, viewer);
    expect(read.status).toBe(200);
    const refused = await consoleReq('POST', `/v1/vouchers/${voucher.id}/cancel`, viewer);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: '/docs/problems#console-forbidden', detail: expect.stringContaining('viewer') });
    expect(((await (await consoleReq('GET', `/v1/vouchers/${voucher.id}`, viewer)).json()) as { status: string }).status).toBe('open');

    const canceled = await consoleReq('POST', `/v1/vouchers/${voucher.id}/cancel`, admin);
    expect(canceled.status).toBe(200);
    const twice = await consoleReq('POST', `/v1/vouchers/${voucher.id}/cancel`, admin);
    expect(twice.status).toBe(409);

    // Another merchant's data is not theirs, by header or by id.
    const shopB = (await s.h.services.network.listMerchants()).find((m) => m.name === 'Shop B')!.id;
    expect((await consoleReq('GET', '/v1/vouchers', admin, undefined, { 'counterpay-merchant': shopB })).status).toBe(403);
    const bVoucher = (await (await s.h.req('POST', '/v1/vouchers', { order_ref: 'CON-B', amount: 100, currency: 'EUR' }, { key: s.h.keyB })).json()) as { id: string };
    expect((await consoleReq('GET', `/v1/vouchers/${bVoucher.id}`, admin)).status).toBe(404);

    // Test mode shows test data only.
    const testVoucher = (await (await s.h.req('POST', '/v1/vouchers', { order_ref: 'CON-T', amount: 100, currency: 'EUR' }, { key: s.h.testKeyA })).json()) as { id: string };
    const testList = (await (await consoleReq('GET', '/v1/vouchers', viewer, undefined, { 'counterpay-mode': 'test' })).json()) as { data: { id: string; livemode: boolean }[] };
    expect(testList.data.map((v) => v.id)).toEqual([testVoucher.id]);
    const liveList = (await (await consoleReq('GET', '/v1/vouchers', viewer)).json()) as { data: { id: string }[] };
    expect(liveList.data.map((v) => v.id)).not.toContain(testVoucher.id);
    expect((await consoleReq('GET', '/v1/vouchers', viewer, undefined, { 'counterpay-mode': 'sandbox' })).status).toBe(400);

    // Operator routes are for operators.
    expect((await consoleReq('GET', '/v1/console/audit', admin)).status).toBe(403);
  });

  it('lets an admin invite to their own merchant only, and never an operator', async () => {
    const admin = await signIn('admin-a@example.com');
    const shopB = (await s.h.services.network.listMerchants()).find((m) => m.name === 'Shop B')!.id;
    expect((await consoleReq('POST', '/v1/console/invitations', admin, { email: 'dev-a@example.com', merchant_id: s.h.merchantA, role: 'developer' })).status).toBe(201);
    const elsewhere = await consoleReq('POST', '/v1/console/invitations', admin, { email: 'dev-b@example.com', merchant_id: shopB, role: 'developer' });
    expect(elsewhere.status).toBe(403);
    expect((await consoleReq('POST', '/v1/console/invitations', admin, { email: 'op2@example.com', operator: true })).status).toBe(403);
    const viewer = await signIn('viewer-a@example.com');
    expect((await consoleReq('POST', '/v1/console/invitations', viewer, { email: 'x@example.com', merchant_id: s.h.merchantA, role: 'viewer' })).status).toBe(403);
    const members = (await (await consoleReq('GET', `/v1/console/merchants/${s.h.merchantA}/users`, viewer)).json()) as { data: { email: string; role: string }[] };
    expect(members.data.map((m) => `${m.email} ${m.role}`)).toEqual(['admin-a@example.com admin', 'dev-a@example.com developer', 'viewer-a@example.com viewer']);
    expect((await consoleReq('GET', `/v1/console/merchants/${shopB}/users`, viewer)).status).toBe(403);
  });

  it('writes every change a person made to the audit log, with its outcome, who, and from where; operators read it', async () => {
    const ops = await signIn('ops@example.com');
    const page = (await (await consoleReq('GET', '/v1/console/audit?limit=100', ops, undefined, { 'user-agent': 'audit-test' })).json()) as {
      data: { actor: string; action: string; target: string | null; outcome: string; result: string | null; merchant_id: string | null }[];
      has_more: boolean;
    };
    const lines = page.data.map((e) => `${e.actor} ${e.action} ${e.outcome} ${e.result}`);
    expect(lines).toContain('admin-a@example.com POST /v1/vouchers/{id}/cancel succeeded 200');
    expect(lines).toContain('admin-a@example.com POST /v1/vouchers/{id}/cancel failed 409 voucher-not-open');
    expect(lines).toContain('ops@example.com POST /v1/console/invitations succeeded 201');
    expect(lines).toContain('admin-a@example.com POST /v1/console/invitations failed 403 console-forbidden');
    expect(lines).toContain('ops@example.com session.create succeeded email-link');
    expect(lines).toContain('ops@example.com session.end succeeded null');
    expect(lines, 'the command line is an actor too').toContain('cli user create succeeded done');
    expect(lines.some((l) => l.includes('cross-site'))).toBe(false);
    expect(
      lines.some((l) => l.startsWith('viewer-a@example.com POST /v1/vouchers')),
      'a refused role changed nothing and is not a change',
    ).toBe(false);
    const cancel = page.data.find((e) => e.action === 'POST /v1/vouchers/{id}/cancel')!;
    expect(cancel.merchant_id).toBe(s.h.merchantA);
    expect(cancel.target).toMatch(/^vch_/);
    // Paging: two at a time reaches the same entries.
    const first = (await (await consoleReq('GET', '/v1/console/audit?limit=2', ops)).json()) as { data: { id: string }[]; has_more: boolean };
    expect(first.has_more).toBe(true);
    const second = (await (await consoleReq('GET', `/v1/console/audit?limit=2&starting_after=${first.data[1]!.id}`, ops)).json()) as { data: { id: string }[] };
    expect(second.data.map((e) => e.id)).toEqual(page.data.slice(2, 4).map((e) => (e as unknown as { id: string }).id));
  });

  it('lets an operator create a merchant and a store, make a till enrolment code that a till uses, and revoke the till; nobody else may', async () => {
    const ops = await signIn('ops@example.com');
    const merchant = await consoleReq('POST', '/v1/operator/merchants', ops, { name: 'Console Shop' });
    expect(merchant.status).toBe(201);
    expect(await merchant.json()).toMatchObject({ id: expect.stringMatching(/^mer_/), api_key: expect.stringMatching(/^cpk_live_/) });
    const store = (await (await consoleReq('POST', '/v1/operator/stores', ops, { name: 'Console Store', currency: 'EUR' })).json()) as { id: string };
    expect(((await (await consoleReq('GET', '/v1/operator/stores', ops)).json()) as { data: { id: string }[] }).data.map((x) => x.id)).toContain(store.id);
    expect((await consoleReq('POST', '/v1/operator/stores', ops, { name: 'Bad', currency: 'XXX1' })).status).toBe(400);

    const made = await consoleReq('POST', `/v1/operator/stores/${store.id}/enrolment_codes`, ops);
    expect(made.status).toBe(201);
    const code = (await made.json()) as { code: string; enrol_url: string; store: { id: string } };
    expect(code.enrol_url).toBe(`${PUBLIC_URL}/cashier?enrol=${encodeURIComponent(code.code)}`);
    expect((await consoleReq('POST', '/v1/operator/stores/sto_nope/enrolment_codes', ops)).status).toBe(404);
    const till = await TestTill.enrol(tillRequest(s.h), code.code, 'Console till');
    const tills = (await (await consoleReq('GET', '/v1/operator/tills', ops)).json()) as { data: { id: string; status: string; store_id: string }[] };
    expect(tills.data.find((t) => t.id === till.id)).toMatchObject({ status: 'active', store_id: store.id });
    const revoked = await consoleReq('POST', `/v1/operator/tills/${till.id}/revoke`, ops);
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: till.id, status: 'revoked' });
    expect((await consoleReq('POST', `/v1/operator/tills/${till.id}/revoke`, ops)).status).toBe(409);

    const admin = await signIn('admin-a@example.com');
    for (const [method, path] of [
      ['GET', '/v1/operator/stores'],
      ['POST', '/v1/operator/stores'],
      ['POST', `/v1/operator/stores/${store.id}/enrolment_codes`],
    ] as const) {
      const res = await consoleReq(method, path, admin, method === 'POST' ? { name: 'Not mine' } : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await s.h.req('GET', '/v1/operator/stores')).status, 'an API key is no operator').toBe(401);
    const audit = (await (await consoleReq('GET', '/v1/console/audit?limit=100', ops)).json()) as { data: { action: string; target: string | null; result: string | null }[] };
    expect(audit.data.find((e) => e.action === 'POST /v1/operator/stores/{id}/enrolment_codes' && e.result === '201')?.target).toBe(store.id);
    expect(audit.data.some((e) => e.action === 'POST /v1/operator/tills/{id}/revoke' && e.result === '409 device-already-revoked')).toBe(true);
  });

  it('gives operators an overview of today: money per currency, what waits for review, tills past their lease, failing endpoints, and the days before', async () => {
    let ops = await signIn('ops@example.com');
    const overview = async () => (await (await consoleReq('GET', '/v1/operator/overview', ops)).json()) as Record<string, unknown> & { collections: unknown[] };
    const before = await overview();
    const store = (await s.h.services.network.createStore('Overview Store', undefined, 'EUR'))!.id;
    const till = await TestTill.enrol(tillRequest(s.h), (await s.h.services.devices.createEnrolmentCode(store)).code, 'Overview till');
    const voucher = async (amount: number) =>
      (await (await s.h.req('POST', '/v1/vouchers', { order_ref: 'OV-1', amount, currency: 'EUR' })).json()) as { token: string; id: string };
    const paid = await voucher(2000);
    expect((await till.outcomes([await till.record(paid.token, 2000)]))[0]!.outcome).toBe('accepted');
    const short = await voucher(1000);
    expect((await till.outcomes([await till.record(short.token, 900)]))[0]!.outcome).toBe('mismatch');
    // An endpoint the outbox worker has marked failing (it does after repeated failed deliveries).
    const endpoint = (await (await s.h.req('POST', '/v1/webhook_endpoints', { url: 'http://127.0.0.1:9/down', events: ['voucher.paid'] })).json()) as { id: string };
    await s.database.db.execute(sql`update webhook_endpoints set status = 'failing' where id = ${endpoint.id}`);
    const after = await overview();
    expect((after.failing_endpoints as { id: string; merchant: { id: string } }[]).find((e) => e.id === endpoint.id)).toMatchObject({ merchant: { id: s.h.merchantA } });
    const eur = (o: { collections: unknown[] }) =>
      (o.collections as { currency: string; count: number; amount: number }[]).find((c) => c.currency === 'EUR') ?? { count: 0, amount: 0 };
    expect(eur(after).count - eur(before).count).toBe(1);
    expect(eur(after).amount - eur(before).amount).toBe(2000);
    expect((after.review_waiting as number) - (before.review_waiting as number)).toBe(1);
    expect(after.day).toBe(s.h.clock.now().toISOString().slice(0, 10));
    expect((after.per_day as { day: string }[]).at(-1)!.day).toBe(after.day);
    expect((after.tills_past_lease as { id: string }[]).some((t) => t.id === till.id)).toBe(false);
    // A day and a half without a sync is past the default 24-hour lease.
    s.h.clock.advance(36 * 3_600_000);
    ops = await signIn('ops@example.com'); // the session before has long expired
    const later = await overview();
    expect((later.tills_past_lease as { id: string; store: { id: string } }[]).find((t) => t.id === till.id)).toMatchObject({ store: { id: store } });
    expect(eur(later).count, 'a new day starts at zero').toBe(0);
    expect(
      (later.per_day as { day: string; count: number }[]).some((d) => d.day === after.day && d.count >= 1),
      'yesterday stays in the chart',
    ).toBe(true);
    expect((await consoleReq('GET', '/v1/operator/overview', await signIn('viewer-a@example.com'))).status).toBe(403);
  });

  it('sweeps away links, challenges and sessions that can no longer be used', async () => {
    await s.h.services.console.passkeySignInOptions();
    await runCommand(s.h.services, ['user', 'create', '--email', 'sweep@example.com']);
    const { url } = await s.h.services.console.signInLinkFor('sweep@example.com');
    const session = await signInWithLink((await s.h.services.console.signInLinkFor('sweep@example.com')).url.split('#token=')[1]!);
    s.h.clock.advance(13 * 3_600_000 + 86_400_000);
    expect(await s.h.services.console.sweepIfDue()).toBeGreaterThanOrEqual(4);
    expect(await s.h.services.console.sweepIfDue(), 'at most every ten minutes').toBe(0);
    const gone = await consoleReq('POST', '/v1/console/sessions', null, { link_token: url.split('#token=')[1] });
    expect(((await gone.json()) as { detail: string }).detail).toContain('not valid');
    expect((await consoleReq('GET', '/v1/console/me', session)).status).toBe(401);
  });

  it('limits sign-in links per address', async () => {
    for (let i = 0; i < 5; i++) expect((await consoleReq('POST', '/v1/console/sign-in-links', null, { email: 'limit@example.com' })).status).toBe(202);
    const sixth = await consoleReq('POST', '/v1/console/sign-in-links', null, { email: 'limit@example.com' });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBeTruthy();
  });
});
