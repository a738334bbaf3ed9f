/** `GET /v1/keys`: the operator's public verification keys, for tills and shopper views (core/contract/keys.ts). */
import { OperatorJwkSet } from '../../core/contract/keys.ts';
import { json } from '../http/schemas.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { SigningKeys } from './signing-keys.service.ts';

export const listKeys = defineRoute(
  { guard: 'none' },
  {
    method: 'get',
    path: '/v1/keys',
    tags: ['Keys'],
    summary: 'Public keys that verify voucher tokens (JWK set)',
    responses: { 200: { description: 'Every key whose tokens can still be valid.', content: json(OperatorJwkSet) } },
  },
);

export function keysResource(keys: SigningKeys, guards: Guards) {
  return new Resource(guards).add(listKeys, async (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(await keys.jwks(), 200);
  });
}
