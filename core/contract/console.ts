/**
 * The console's own wire shapes (docs/console.md): signing in with an e-mail link or a passkey, the
 * signed-in user, invitations and the audit log. What the console shows of vouchers, refunds and
 * the rest is the merchant API's and the operator API's shapes.
 */
import * as z from 'zod/mini';
import { Timestamp } from './common.ts';
import { described, documented } from './docs.ts';

export const CONSOLE_ROLES = ['admin', 'developer', 'viewer'] as const;
export const ConsoleRole = described(z.enum(CONSOLE_ROLES), 'admin: everything; developer: webhooks, keys, test mode and reading; viewer: reading only.');

const Email = described(z.string().check(z.minLength(3), z.maxLength(254)), 'An e-mail address.', 'ops@example.com');

export const SignInLinkRequest = documented(z.strictObject({ email: Email }), {
  id: 'SignInLinkRequest',
  description: 'Where to send a sign-in link. The answer is the same whether or not a user has the address.',
});
export type SignInLinkRequest = z.infer<typeof SignInLinkRequest>;

/** The browser's WebAuthn answer, as @simplewebauthn/browser hands it over (checked by the server's library). */
const WebAuthnResponse = described(
  z.looseObject({ id: described(z.string().check(z.maxLength(1024)), 'The credential id, base64url.'), type: described(z.string(), 'Always `public-key`.') }),
  'The browser’s WebAuthn response JSON.',
);

export const SessionRequest = documented(
  z.union([
    z.strictObject({ link_token: described(z.string().check(z.minLength(1), z.maxLength(200)), 'The token from a sign-in link (after `#token=`).') }),
    z.strictObject({
      challenge_id: described(z.string().check(z.maxLength(64)), 'From `POST /v1/console/passkey-challenges`.'),
      passkey: WebAuthnResponse,
    }),
  ]),
  { id: 'SessionRequest', description: 'Sign in: with a sign-in link’s token, or with a passkey’s answer to a challenge.' },
);
export type SessionRequest = z.infer<typeof SessionRequest>;

export const PasskeyChallenge = documented(
  z.object({
    challenge_id: described(z.string(), 'Send it back with the answer.'),
    options: described(
      z.looseObject({ challenge: described(z.string(), 'The challenge, base64url.') }),
      'WebAuthn options for the browser (`startAuthentication` / `startRegistration`).',
    ),
  }),
  { id: 'PasskeyChallenge', description: 'A single-use WebAuthn challenge, valid 5 minutes.' },
);

export const PasskeyRegistration = documented(
  z.strictObject({ challenge_id: described(z.string().check(z.maxLength(64)), 'From `POST /v1/console/passkey-registrations`.'), passkey: WebAuthnResponse }),
  {
    id: 'PasskeyRegistration',
    description: 'A new passkey for the signed-in user: the browser’s answer to a registration challenge.',
  },
);
export type PasskeyRegistration = z.infer<typeof PasskeyRegistration>;

export const Passkey = documented(z.object({ id: described(z.string(), 'The credential id, base64url.'), created_at: described(Timestamp, 'When it was added.') }), {
  id: 'Passkey',
  description: 'A registered passkey.',
});

export const Me = documented(
  z.object({
    id: described(z.string(), 'The user’s id.'),
    email: described(z.string(), 'Where sign-in links go.'),
    operator: described(z.boolean(), 'An operator runs the network: stores, tills, review, settlement.'),
    memberships: described(
      z.array(z.object({ merchant_id: described(z.string(), 'The live merchant.'), merchant_name: described(z.string(), 'Its name.'), role: ConsoleRole })),
      'The merchants this user works for.',
    ),
    passkeys: described(z.int(), 'How many passkeys the user has registered.'),
    csrf_token: described(z.string(), 'Send it as `X-CSRF-Token` with every request that changes something.'),
    session_expires_at: described(Timestamp, 'When the session ends unless used (the idle expiry, or the absolute one if sooner).'),
  }),
  { id: 'ConsoleUser', description: 'The signed-in console user.' },
);
export type Me = z.infer<typeof Me>;

export const Invitation = documented(
  z.union([
    z.strictObject({ email: Email, operator: described(z.literal(true), 'Invite an operator (operators only).') }),
    z.strictObject({ email: Email, merchant_id: described(z.string().check(z.maxLength(64)), 'The live merchant.'), role: ConsoleRole }),
  ]),
  { id: 'Invitation', description: 'Invite someone: an operator, or a user of a merchant with a role. They get an e-mail with a sign-in link valid 72 hours.' },
);
export type Invitation = z.infer<typeof Invitation>;

export const Invited = documented(
  z.object({
    user_id: described(z.string(), 'The user’s id.'),
    email: described(z.string(), 'As stored (lower case).'),
    created: described(z.boolean(), 'False when the user existed already.'),
    email_sent: described(
      z.boolean(),
      'Whether the invitation e-mail went out. If not, the invitation stands: they can ask for a sign-in link, or the operator can make one (`counterpay user sign-in-link`).',
    ),
    email_detail: described(z.nullable(z.string()), 'Why the e-mail did not go out.'),
  }),
  {
    id: 'Invited',
    description: 'The invited user.',
  },
);

export const Member = z.object({
  user_id: described(z.string(), 'The user’s id.'),
  email: described(z.string(), 'The user’s e-mail.'),
  role: ConsoleRole,
  created_at: described(Timestamp, 'When they joined the merchant.'),
});
export const MemberList = documented(z.object({ object: described(z.literal('list'), 'Always `list`.'), data: described(z.array(Member), 'The users, by e-mail.') }), {
  id: 'MemberList',
  description: 'A merchant’s console users.',
});

export const AuditEntry = documented(
  z.object({
    id: described(z.string(), 'The entry’s id.'),
    at: described(Timestamp, 'When the change began.'),
    actor: described(z.string(), 'The user’s e-mail, or `cli` for the operator’s command line.'),
    action: described(z.string(), 'The route (`POST /v1/vouchers/{id}/refunds`), command (`store create`) or sign-in event (`session.create`).'),
    target: described(z.nullable(z.string()), 'What it was done to (an id), when there is one.'),
    merchant_id: described(z.nullable(z.string()), 'The merchant it concerns, for a merchant user’s change.'),
    ip: described(z.nullable(z.string()), 'The client address it came from (null for the command line).'),
    user_agent: described(z.nullable(z.string()), 'The browser it came from, or the command line and its OS user.'),
    outcome: described(z.enum(['started', 'succeeded', 'failed']), 'started: the change began and no outcome was recorded (the server stopped in between).'),
    result: described(z.nullable(z.string()), 'The HTTP status, with the problem code of a failure.'),
  }),
  { id: 'AuditEntry', description: 'One change a person made.' },
);
export const AuditPage = documented(
  z.object({
    object: described(z.literal('list'), 'Always `list`.'),
    data: described(z.array(AuditEntry), 'Newest first.'),
    has_more: described(z.boolean(), 'More entries follow: ask again with `starting_after` the last id.'),
  }),
  {
    id: 'AuditPage',
    description: 'Audit entries, newest first.',
  },
);

export const AuditQuery = z.object({
  limit: z.optional(described(z.string().check(z.regex(/^([1-9]|[1-9][0-9]|100)$/)), 'At most this many (1–100, default 25).')),
  starting_after: z.optional(described(z.string().check(z.maxLength(64)), 'The last entry of the previous page.')),
  merchant_id: z.optional(described(z.string().check(z.maxLength(64)), 'Only entries concerning this merchant.')),
});
