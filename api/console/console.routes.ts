/**
 * The console's own routes (docs/console.md): signing in and out, passkeys, the signed-in user,
 * invitations, a merchant's users and the audit log. Everything else the console shows goes
 * through the merchant and operator routes, with the session as their credential.
 */
import { z } from '@hono/zod-openapi';
import {
  AuditPage,
  AuditQuery,
  Invitation,
  Invited,
  Me,
  MemberList,
  Passkey,
  PasskeyChallenge,
  PasskeyRegistration,
  SessionRequest,
  SignInLinkRequest,
} from '../../core/contract/console.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { ConsoleAccessError, NotFoundError } from '../errors.ts';
import { json, problem } from '../http/schemas.ts';
import { openApiObject } from '../http/openapi-schema.ts';
import { clientAddress, RateLimiter } from '../http/rate-limit.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import { clearedSessionCookie, requestMeta, sessionCookie, type SessionEnv } from '../http/session-auth.ts';
import type { Services } from '../context.ts';

const tags = ['Console'];
const signedIn = { guard: 'consoleSession', role: 'viewer' } as const;
const unauthenticated = { 401: problem('Not signed in, or the session ended (signed out, idle, or past its absolute expiry).') };
const crossSite = { 403: problem('The request did not come from the console (Origin or X-CSRF-Token), or your role does not allow it.') };

export const requestSignInLink = defineRoute(
  { guard: 'consoleOrigin' },
  {
    tags,
    method: 'post',
    path: '/v1/console/sign-in-links',
    summary: 'E-mail a sign-in link',
    description: 'Sends a link valid 15 minutes, once, to the address if a user has it. The answer is the same either way.',
    request: { body: { required: true, content: json(SignInLinkRequest) } },
    responses: {
      202: { description: 'If a user has the address, a link is on its way.' },
      400: problem('Not an e-mail address.'),
      403: problem('The request did not come from the console’s origin.'),
      429: problem('Too many links asked for this address or from this address.'),
      503: problem('The e-mail could not be sent; nothing else happened.'),
    },
  },
);

export const passkeyChallenge = defineRoute(
  { guard: 'consoleOrigin' },
  {
    tags,
    method: 'post',
    path: '/v1/console/passkey-challenges',
    summary: 'Start signing in with a passkey',
    responses: { 201: { description: 'A challenge for the browser.', content: json(PasskeyChallenge) }, 403: problem('The request did not come from the console’s origin.') },
  },
);

export const createSession = defineRoute(
  { guard: 'consoleOrigin' },
  {
    tags,
    method: 'post',
    path: '/v1/console/sessions',
    summary: 'Sign in',
    description: 'With a sign-in link’s token, or a passkey’s answer to a challenge. Sets the session cookie (HttpOnly, Secure, SameSite=Strict).',
    request: { body: { required: true, content: json(SessionRequest) } },
    responses: {
      201: { description: 'Signed in: the user, with the CSRF token for later requests.', content: json(Me) },
      400: problem('The request is invalid.'),
      401: problem('The link is unknown, used or expired, or the passkey did not verify.'),
      403: problem('The request did not come from the console’s origin.'),
      429: problem('Too many sign-in attempts from this address.'),
    },
  },
);

export const me = defineRoute(signedIn, {
  tags,
  method: 'get',
  path: '/v1/console/me',
  summary: 'The signed-in user',
  responses: { 200: { description: 'The user, their merchants and roles, and the CSRF token.', content: json(Me) }, ...unauthenticated },
});

export const signOut = defineRoute(signedIn, {
  tags,
  method: 'delete',
  path: '/v1/console/session',
  summary: 'Sign out',
  description: 'Ends the session on the server (its cookie opens nothing from now on) and clears the cookie.',
  responses: { 204: { description: 'Signed out.' }, ...unauthenticated, ...crossSite },
});

export const passkeyRegistrationChallenge = defineRoute(signedIn, {
  tags,
  method: 'post',
  path: '/v1/console/passkey-registrations',
  summary: 'Start adding a passkey',
  responses: { 201: { description: 'A registration challenge for the browser.', content: json(PasskeyChallenge) }, ...unauthenticated, ...crossSite },
});

export const addPasskey = defineRoute(signedIn, {
  tags,
  method: 'post',
  path: '/v1/console/passkeys',
  summary: 'Add a passkey',
  request: { body: { required: true, content: json(PasskeyRegistration) } },
  responses: { 201: { description: 'The passkey.', content: json(Passkey) }, 400: problem('The request is invalid.'), ...unauthenticated, ...crossSite },
});

export const invite = defineRoute(signedIn, {
  tags,
  method: 'post',
  path: '/v1/console/invitations',
  summary: 'Invite a user',
  description: 'An operator invites operators and users of any merchant; a merchant’s admin invites users of that merchant.',
  request: { body: { required: true, content: json(Invitation) } },
  responses: {
    201: { description: 'Invited (`email_sent` says whether the e-mail went out).', content: json(Invited) },
    400: problem('The request is invalid.'),
    ...unauthenticated,
    ...crossSite,
    404: problem('No such merchant.'),
  },
});

export const members = defineRoute(signedIn, {
  tags,
  method: 'get',
  path: '/v1/console/merchants/{id}/users',
  summary: 'A merchant’s console users',
  request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'The live merchant.', example: 'mer_demo' }) }) },
  responses: { 200: { description: 'Its users and their roles.', content: json(MemberList) }, ...unauthenticated, ...crossSite },
});

export const auditLog = defineRoute(
  { guard: 'operatorSession' },
  {
    tags,
    method: 'get',
    path: '/v1/console/audit',
    summary: 'The audit log (operators)',
    description: 'Every change a person made through the console or the command line, newest first.',
    request: { query: openApiObject(AuditQuery) },
    responses: {
      200: { description: 'A page of entries.', content: json(AuditPage) },
      400: problem('The request is invalid.'),
      ...unauthenticated,
      ...crossSite,
      404: problem('No such entry to start after.'),
    },
  },
);

/** Per e-mail address and per client address: enough for a person, far too few to mail-bomb someone. */
const LINKS_PER_EMAIL = { what: 'sign-in links asked for this e-mail address', max: 5, windowMs: 15 * 60_000 };
const LINKS_PER_CLIENT = { what: 'sign-in links asked from this address', max: 20, windowMs: 15 * 60_000 };
const SIGN_INS_PER_CLIENT = { what: 'sign-in attempts from this address', max: 30, windowMs: 15 * 60_000 };

export function consoleResource(s: Services, guards: Guards) {
  const perEmail = new RateLimiter(s.clock, LINKS_PER_EMAIL);
  const perClient = new RateLimiter(s.clock, LINKS_PER_CLIENT);
  const signIns = new RateLimiter(s.clock, SIGN_INS_PER_CLIENT);
  const cookieAge = s.console.settings.absoluteMs / 1000;
  return (
    new Resource<SessionEnv>(guards)
      .add(requestSignInLink, async (c) => {
        const { email } = c.req.valid('json');
        perClient.take(clientAddress(c));
        perEmail.take(email.trim().toLowerCase());
        await s.console.requestSignInLink(email);
        return c.body(null, 202);
      })
      .add(passkeyChallenge, async (c) => {
        signIns.take(clientAddress(c));
        return c.json(await s.console.passkeySignInOptions(), 201);
      })
      .add(createSession, async (c) => {
        signIns.take(clientAddress(c));
        const body = c.req.valid('json');
        const meta = requestMeta(c);
        const { signedIn, token } =
          'link_token' in body
            ? await s.console.signInWithLink(body.link_token, meta)
            : await s.console.signInWithPasskey(body.challenge_id, body.passkey as unknown as AuthenticationResponseJSON, meta);
        c.header('set-cookie', sessionCookie(token, cookieAge));
        c.header('cache-control', 'no-store');
        return c.json(await s.console.me(signedIn), 201);
      })
      .add(me, async (c) => {
        c.header('cache-control', 'no-store');
        return c.json(await s.console.me(c.get('console')), 200);
      })
      .add(passkeyRegistrationChallenge, async (c) => c.json(await s.console.passkeyRegistrationOptions(c.get('console').user), 201))
      .add(addPasskey, async (c) => {
        const body = c.req.valid('json');
        return c.json(await s.console.registerPasskey(c.get('console').user, body.challenge_id, body.passkey as unknown as RegistrationResponseJSON), 201);
      })
      .add(invite, async (c) => {
        const body = c.req.valid('json');
        const input = 'operator' in body ? { email: body.email, operator: true } : { email: body.email, merchantId: body.merchant_id, role: body.role };
        return c.json(await s.console.invite(c.get('console').user, input), 201);
      })
      .add(members, async (c) => {
        const { user } = c.get('console');
        const { id } = c.req.valid('param');
        if (user.operator) {
          if (!(await s.network.listMerchants()).some((m) => m.id === id)) throw new NotFoundError('merchant', id);
        } else if ((await s.console.roleAt(user.id, id)) === undefined) throw new ConsoleAccessError(`you are not a user of merchant ${id}`);
        return c.json({ object: 'list' as const, data: await s.console.members(id) }, 200);
      })
      .add(auditLog, async (c) => {
        const q = c.req.valid('query');
        const page = await s.console.auditLog({ merchantId: q.merchant_id, limit: q.limit ? Number(q.limit) : 25, startingAfter: q.starting_after });
        return c.json({ object: 'list' as const, ...page }, 200);
      })
      // Last, so that the reference's examples, run in order by its test, sign out after the rest.
      .add(signOut, async (c) => {
        await s.console.signOut(c.get('console'), requestMeta(c));
        c.header('set-cookie', clearedSessionCookie);
        return c.body(null, 204);
      })
  );
}
