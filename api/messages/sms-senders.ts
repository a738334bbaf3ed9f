/**
 * SMS providers. HttpSmsSender posts JSON to a provider's HTTP endpoint, with a body shaped by a
 * template so most providers fit without code; LogSmsSender is for development and writes each
 * SMS to the log instead of sending it.
 */
import { DeliveryError } from '../errors.ts';
import type { SmsSender } from './delivery.ts';
import { smsLength } from './sms-encoding.ts';

/** `{"to":"{to}","text":"{text}"}`: the body most providers take, give or take the field names. */
export const DEFAULT_SMS_BODY = '{"to":"{to}","text":"{text}"}';

/** Where the provider's message id is looked for in its JSON answer, when SMS_ID_FIELD is not set. */
const ID_FIELDS = ['id', 'message_id', 'messageId', 'sid'];

export interface HttpSmsOptions {
  /** SMS_URL: the provider's send endpoint. `https://user:pass@host/…` sends Basic credentials. */
  url: string;
  /** SMS_TOKEN: sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** SMS_BODY: a JSON document whose string values may hold {to} and {text}. */
  bodyTemplate?: string;
  /** SMS_ID_FIELD: dotted path of the message id in the answer, such as `messages.0.id`. */
  idField?: string;
  timeoutMs?: number;
}

/** Throws an Error naming the problem unless `template` is JSON that places both {to} and {text}. */
export function checkSmsBodyTemplate(template: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch (error) {
    throw new Error(`SMS_BODY is not JSON (${(error as Error).message}): ${template}`);
  }
  const strings: string[] = [];
  walk(parsed, (s) => {
    strings.push(s);
    return s;
  });
  for (const p of ['{to}', '{text}']) {
    if (!strings.some((s) => s.includes(p))) throw new Error(`SMS_BODY must place ${p} in a string value, such as ${DEFAULT_SMS_BODY}; got ${template}`);
  }
}

/** Copies a JSON value, passing every string value through `f`. */
function walk(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, f));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, f)]));
  return value;
}

function pick(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The endpoint without credentials or query (either may hold secrets), for messages and logs. */
export function redactHttpUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export class HttpSmsSender implements SmsSender {
  private readonly endpoint: string;
  private readonly authorization: string | undefined;
  private readonly body: unknown;
  private readonly timeoutMs: number;
  /** The endpoint as errors name it. */
  readonly target: string;

  constructor(private readonly options: HttpSmsOptions) {
    const url = new URL(options.url);
    const basic = url.username || url.password ? Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64') : undefined;
    if (basic && options.token) throw new Error('SMS_URL carries a user and password and SMS_TOKEN is set too: use one way to log in');
    url.username = '';
    url.password = '';
    this.endpoint = url.toString(); // fetch refuses URLs with credentials in them
    this.authorization = options.token ? `Bearer ${options.token}` : basic ? `Basic ${basic}` : undefined;
    const template = options.bodyTemplate ?? DEFAULT_SMS_BODY;
    checkSmsBodyTemplate(template);
    this.body = JSON.parse(template);
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.target = redactHttpUrl(options.url);
  }

  async send(to: string, text: string): Promise<{ providerId: string | null }> {
    // Replaced in the parsed document, so quotes or line breaks in the text stay valid JSON.
    const body = JSON.stringify(walk(this.body, (s) => s.replace(/\{(to|text)\}/g, (_, name: string) => (name === 'to' ? to : text))));
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(this.authorization ? { authorization: this.authorization } : {}) },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw this.networkError(error);
    }
    const answer = await res.text().catch(() => '');
    if (!res.ok) throw this.statusError(res.status, res.statusText, answer, to);
    return { providerId: this.providerId(answer) };
  }

  private providerId(answer: string): string | null {
    let json: unknown;
    try {
      json = JSON.parse(answer);
    } catch {
      return null; // a provider that answers 2xx without JSON sent the message all the same
    }
    const paths = this.options.idField ? [this.options.idField] : ID_FIELDS;
    for (const path of paths) {
      const id = pick(json, path);
      if (typeof id === 'string' && id !== '') return id;
      if (typeof id === 'number') return String(id);
    }
    return null;
  }

  private statusError(status: number, statusText: string, answer: string, to: string): DeliveryError {
    const said = answer.trim() ? `: ${answer.replace(/\s+/g, ' ').trim().slice(0, 300)}` : '';
    const head = `SMS provider ${this.target} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
    // 400 and 422: the provider refuses this message (an invalid or unreachable number); the same
    // request would be refused again. 401/403/404 are our configuration, 408/429/5xx the provider's
    // state: those messages wait.
    if (status === 400 || status === 422) return new DeliveryError(`${head} for ${to}${said}`, true);
    if (status === 401 || status === 403) return new DeliveryError(`${head}${said}; check SMS_TOKEN or the credentials in SMS_URL`, false);
    if (status === 404 || status === 405) return new DeliveryError(`${head}${said}; check SMS_URL`, false);
    return new DeliveryError(`${head}${said}`, false);
  }

  private networkError(error: unknown): DeliveryError {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new DeliveryError(`SMS provider ${this.target} did not answer within ${this.timeoutMs / 1000} s`, false, { cause: error });
    }
    const code = e?.cause?.code;
    if (code === 'ECONNREFUSED') return new DeliveryError(`could not connect to SMS provider ${this.target}: connection refused (ECONNREFUSED)`, false, { cause: error });
    const detail = e?.cause?.message ?? e?.message ?? String(error);
    return new DeliveryError(`could not reach SMS provider ${this.target}${code ? ` (${code})` : ''}: ${detail}`, false, { cause: error });
  }
}

/** Development: each SMS goes to `log` with its encoding and length, and nowhere else. */
export class LogSmsSender implements SmsSender {
  constructor(private readonly log: (line: string) => void) {}

  async send(to: string, text: string): Promise<{ providerId: string | null }> {
    const size = smsLength(text);
    this.log(`SMS (not sent: SMS_URL is not set) to ${to}, ${size.encoding} ${size.units}/${size.limit}: ${text}`);
    return { providerId: null };
  }
}
