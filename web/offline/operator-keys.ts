/** The KeySource the app uses: IndexedDB cache plus `GET /v1/keys`. */
import { requestJson } from '../app/http.ts';
import { getCachedKeys, putCachedKeys } from './keys.store.ts';
import { OperatorJwkSet } from '../../core/contract/keys.ts';
import type { KeySource } from './verify.ts';

export const operatorKeys: KeySource = {
  async cached() {
    return (await getCachedKeys())?.set ?? null;
  },
  async refresh() {
    const answer = await requestJson('/v1/keys', OperatorJwkSet);
    if (!answer.ok) return null;
    await putCachedKeys({ id: 'operator', set: answer.data, fetchedAt: Date.now() });
    return answer.data;
  },
};
