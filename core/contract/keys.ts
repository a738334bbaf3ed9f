/**
 * Public keys on the wire: the operator's verification keys (`GET /v1/keys`, a JWK set per
 * RFC 7517, cached by the PWA for offline checks) and a till's own device key at enrolment.
 */
import * as z from 'zod/mini';
import { Timestamp } from './common.ts';
import { documented } from './docs.ts';

export const OperatorJwk = documented(
  z.object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    kid: documented(z.string(), { description: "The token's key id, in decimal." }),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
    /** When this key started signing. */
    signs_from: Timestamp,
    signs_until: z.nullable(documented(Timestamp.clone(), { description: 'Null while this is the current signing key.' })),
    verify_until: z.nullable(documented(Timestamp.clone(), { description: 'Tokens signed by this key cannot be valid after this moment.' })),
  }),
  { id: 'OperatorJwk' },
);
export type OperatorJwk = z.infer<typeof OperatorJwk>;

export const OperatorJwkSet = documented(z.object({ keys: z.array(OperatorJwk) }), { id: 'OperatorJwkSet' });
export type OperatorJwkSet = z.infer<typeof OperatorJwkSet>;

/** A till's public key as it enrols: P-256 coordinates (extra JWK members are allowed and ignored). */
export const DevicePublicJwk = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().check(z.maxLength(64)), y: z.string().check(z.maxLength(64)) });
export type DevicePublicJwk = z.infer<typeof DevicePublicJwk>;
