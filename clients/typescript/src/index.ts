/**
 * A typed client for the Counterpay merchant API.
 *
 * The request and answer types come from the server's OpenAPI document (src/openapi.ts, generated
 * by openapi-typescript); the runtime is openapi-fetch over the platform's fetch. Webhooks are
 * checked with the Standard Webhooks library, which Counterpay's signatures follow.
 *
 *   const counterpay = createCounterpay({ apiKey: process.env.COUNTERPAY_KEY, baseUrl: 'https://pay.example' });
 *   const voucher = await counterpay.call(counterpay.api.POST('/v1/vouchers', { body: { order_ref: 'A-1', amount: 1250, currency: 'EUR' } }));
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { components, paths } from './openapi.js';

export type { components, paths } from './openapi.js';
type Schemas = components['schemas'];
export type Voucher = Schemas['Voucher'];
export type VoucherList = Schemas['VoucherList'];
export type CreateVoucher = Schemas['CreateVoucher'];
export type Refund = Schemas['Refund'];
export type CreateRefund = Schemas['CreateRefund'];
export type Event = Schemas['Event'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type TestCollection = Schemas['TestCollection'];
export type Problem = Schemas['Problem'] & { errors?: Array<{ field: string; message: string }> };

/** An answer that was not a success: the problem document (RFC 9457) the API sent with it. */
export class CounterpayError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.title}: ${problem.detail}`);
    this.name = 'CounterpayError';
  }

  /** The problem's stable code (`voucher-not-open`, `validation-failed`, …), to branch on. */
  get code(): string {
    return this.problem.type.slice(this.problem.type.lastIndexOf('#') + 1);
  }
}

export interface CounterpayOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** A live (`cpk_live_…`) or test-mode (`cpk_test_…`) key. */
  apiKey: string;
  /** Where the Counterpay server answers, e.g. `https://pay.example`. */
  baseUrl: string;
}

export interface Counterpay {
  /** Every operation, typed from the OpenAPI document: `api.GET('/v1/vouchers/{id}', { params: { path: { id } } })`. */
  api: Client<paths>;
  /** The data of a success; a problem answer is thrown as a CounterpayError. */
  call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T>;
}

export function createCounterpay({ apiKey, baseUrl, headers, ...options }: CounterpayOptions): Counterpay {
  const api = createClient<paths>({ ...options, baseUrl: baseUrl.replace(/\/+$/, ''), headers: { ...(headers as Record<string, string>), authorization: `Bearer ${apiKey}` } });
  return {
    api,
    async call(request) {
      const { data, error, response } = await request;
      if (error !== undefined || data === undefined) {
        const problem =
          error && typeof error === 'object' && 'type' in error
            ? (error as Problem)
            : { type: 'about:blank', title: response.statusText || 'Request failed', status: response.status, detail: `the server answered ${response.status}` };
        throw new CounterpayError(response.status, problem);
      }
      return data;
    },
  };
}

/** What a webhook delivery carries: the event's type, when it happened, and the object it is about. */
export interface WebhookEvent {
  /** The delivery's `webhook-id`: the event's id (`GET /v1/events/{id}`); deduplicate on it. */
  id: string;
  type: Event['type'];
  timestamp: string;
  data: { object: Record<string, unknown> & { object?: string; id?: string } };
}

/**
 * Checks a webhook delivery with the endpoint's `whsec_…` secret (Standard Webhooks: signature over
 * id, timestamp and the raw body; a timestamp more than five minutes off is refused) and returns
 * its event. Pass the body exactly as received, before any JSON parsing. Throws
 * WebhookVerificationError when the delivery is not genuine.
 */
export function verifyWebhook(secret: string, body: string, headers: Record<string, string | string[] | undefined>): WebhookEvent {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const needed = { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') };
  for (const [name, value] of Object.entries(needed)) if (!value) throw new WebhookVerificationError(`missing ${name} header`);
  const payload = new Webhook(secret).verify(body, needed as Record<string, string>) as Omit<WebhookEvent, 'id'>;
  return { id: needed['webhook-id']!, ...payload };
}

export { WebhookVerificationError };
