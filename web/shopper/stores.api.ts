/** `GET /v1/stores` (core/contract/stores.ts), for "Where to pay": its own module, loaded with that section only. */
import { StoreDirectory } from '../../core/contract/stores.ts';
import { requestJson, type HttpResult } from '../app/http.ts';

/** `path` as web/shopper/where-to-pay.ts storesPath builds it. Public: no credential. */
export function fetchStores(path: string): Promise<HttpResult<StoreDirectory>> {
  return requestJson(path, StoreDirectory);
}
