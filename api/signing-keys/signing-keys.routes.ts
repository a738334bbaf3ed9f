/** `GET /v1/keys`: the operator's public verification keys, for tills and shopper views. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { SigningKeys } from './signing-keys.service.ts';

const Jwk = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    kid: z.string().openapi({ description: "The token's key id, in decimal." }),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
    signs_from: z.string(),
    signs_until: z.string().nullable().openapi({ description: 'Null while this is the current signing key.' }),
    verify_until: z.string().nullable().openapi({ description: 'Tokens signed by this key cannot be valid after this moment.' }),
  })
  .openapi('OperatorJwk');

export const OperatorJwkSet = z.object({ keys: z.array(Jwk) }).openapi('OperatorJwkSet');

export const listKeys = createRoute({
  method: 'get',
  path: '/v1/keys',
  tags: ['Keys'],
  summary: 'Public keys that verify voucher tokens (JWK set)',
  responses: { 200: { description: 'Every key whose tokens can still be valid.', content: { 'application/json': { schema: OperatorJwkSet } } } },
});

export function registerKeyRoutes(app: OpenAPIHono, keys: SigningKeys) {
  app.openapi(listKeys, async (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(await keys.jwks(), 200);
  });
}
