/**
 * Public keys on the wire: the operator's verification keys (`GET /v1/keys`, a JWK set per
 * RFC 7517, cached by the PWA for offline checks) and a till's own device key at enrolment.
 */
import * as z from 'zod/mini';
import { Timestamp } from './common.ts';
import { described, documented } from './docs.ts';

export const OperatorJwk = documented(
  z.object({
    kty: described(z.literal('EC'), 'Always `EC`.'),
    crv: described(z.literal('P-256'), 'Always `P-256`.'),
    x: described(z.string(), "The public key's x coordinate, base64url."),
    y: described(z.string(), "The public key's y coordinate, base64url."),
    kid: documented(z.string(), { description: "The token's key id, in decimal." }),
    alg: described(z.literal('ES256'), 'Always `ES256`.'),
    use: described(z.literal('sig'), 'Always `sig`.'),
    /** When this key started signing. */
    signs_from: described(Timestamp, 'When this key started signing.'),
    signs_until: z.nullable(documented(Timestamp.clone(), { description: 'Null while this is the current signing key.' })),
    verify_until: z.nullable(documented(Timestamp.clone(), { description: 'Tokens signed by this key cannot be valid after this moment.' })),
  }),
  { id: 'OperatorJwk', description: "One of the operator's public keys that verify voucher and refund tokens (a JWK, RFC 7517)." },
);
export type OperatorJwk = z.infer<typeof OperatorJwk>;

export const OperatorJwkSet = documented(z.object({ keys: described(z.array(OperatorJwk), "The operator's public keys (signs_until and verify_until tell each one's part).") }), {
  id: 'OperatorJwkSet',
  description: "The operator's verification keys (a JWK set, RFC 7517), for checking tokens offline.",
});
export type OperatorJwkSet = z.infer<typeof OperatorJwkSet>;

/** A till's public key as it enrols: P-256 coordinates (extra JWK members are allowed and ignored). */
export const DevicePublicJwk = z.looseObject({
  kty: described(z.literal('EC'), 'Always `EC`.'),
  crv: described(z.literal('P-256'), 'Always `P-256`.'),
  x: described(z.string().check(z.maxLength(64)), "The public key's x coordinate, base64url.", 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU'),
  y: described(z.string().check(z.maxLength(64)), "The public key's y coordinate, base64url.", 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0'),
});
export type DevicePublicJwk = z.infer<typeof DevicePublicJwk>;
