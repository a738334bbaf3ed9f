/**
 * Enrolment: a new non-extractable ECDSA P-256 key pair made in this browser, its public half sent
 * with the operator's one-time code, and the answer (device id, credential, store, lease) kept in
 * IndexedDB together with the key pair. The private key never leaves the browser.
 */
import { generateDeviceKeyPair } from '../../core/collections/collection-record.ts';
import type { DeviceRecord } from '../offline/till-records.ts';
import type { ApiResult } from './till.api.ts';
import type { EnrolledDevice, EnrolRequest } from '../../core/contract/till.ts';
import type { ProblemCode } from '../../core/contract/problem.ts';

export type EnrolResult =
  | { ok: true; device: DeviceRecord }
  /**
   * no_code: nothing typed; invalid: the server refused the code (wrong, expired or used);
   * offline: no answer from the server; failed: any other answer.
   */
  | { ok: false; reason: 'no_code' | 'invalid' | 'offline' | 'failed'; detail: string };

export interface EnrolPorts {
  enrol(body: EnrolRequest): Promise<ApiResult<EnrolledDevice>>;
  save(device: DeviceRecord): Promise<void>;
  generate?(): Promise<CryptoKeyPair>;
}

/** Codes are printed as XXXX-XXXX; people type them in any case, with or without spaces. */
export function normalizeCode(typed: string): string {
  return typed.trim().toUpperCase().replace(/\s+/g, '');
}

/** The query that carries a code in the console's link, `${PUBLIC_URL}/cashier?enrol=CODE` (`enrol_url`). */
export const ENROL_QUERY = 'enrol';
const ENROL_PATH = '/cashier';
/** The longest code the server takes (core/contract/till.ts, EnrolRequest). */
const MAX_CODE_LENGTH = 40;
/** A code as the server prints it, XXXX-XXXX in Crockford base32, in any case, with or without the dash or spaces. */
const BARE_CODE = /^[0-9A-Z]{4}-?[0-9A-Z]{4}$/;

/** A code carried in the link: what is there, trimmed, unless empty or longer than any code (the server judges the rest). */
function codeInLink(value: string | null): string | null {
  const code = value?.trim() ?? '';
  return code.length > 0 && code.length <= MAX_CODE_LENGTH ? code : null;
}

function sameOrigin(url: URL, origin: string): boolean {
  try {
    return url.origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/**
 * The enrolment code in the page's query (`location.search`) when the till was opened from the
 * console's link, or null. The code is only filled in, never sent by itself.
 */
export function enrolmentCodeFromQuery(search: string): string | null {
  return codeInLink(new URLSearchParams(search).get(ENROL_QUERY));
}

/**
 * What a QR read on the enrol screen is worth: the code in the console's link (the page's own
 * origin, path /cashier, the `enrol` query), or a bare code shaped as the server prints it;
 * null for anything else (a voucher's QR, another site's link, a word). Any URL that is not the
 * link is null even when its query has an `enrol`: only this server's codes enrol here.
 */
export function enrolmentCodeFromScan(text: string, origin: string): string | null {
  const trimmed = text.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return null;
    }
    if (!sameOrigin(url, origin) || url.pathname !== ENROL_PATH) return null;
    return codeInLink(url.searchParams.get(ENROL_QUERY));
  }
  const bare = trimmed.toUpperCase().replace(/\s+/g, '');
  return BARE_CODE.test(bare) ? bare : null;
}

/**
 * The page's address without the `enrol` query (path, other queries and hash kept), for
 * `history.replaceState` once the till is enrolled: a reload must not show a used code. Null when
 * there is no `enrol` query to remove.
 */
export function withoutEnrolQuery(href: string): string | null {
  const url = new URL(href);
  if (!url.searchParams.has(ENROL_QUERY)) return null;
  url.searchParams.delete(ENROL_QUERY);
  return `${url.pathname}${url.search}${url.hash}`;
}

export async function enrolTill(typedCode: string, name: string, ports: EnrolPorts): Promise<EnrolResult> {
  const code = normalizeCode(typedCode);
  if (!code) return { ok: false, reason: 'no_code', detail: 'no code typed' };
  const pair = await (ports.generate ?? generateDeviceKeyPair)();
  // The public half of a pair is always exportable, even when the private half is not.
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const answer = await ports.enrol({
    enrollment_code: code,
    public_key: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! },
    ...(name.trim() ? { name: name.trim() } : {}),
  });
  if (!answer.ok) {
    if (answer.reason === 'network') return { ok: false, reason: 'offline', detail: 'no network' };
    if (answer.reason === 'status' && (answer.problem === ('enrollment-code-invalid' satisfies ProblemCode) || answer.status === 400))
      return { ok: false, reason: 'invalid', detail: answer.detail };
    return { ok: false, reason: 'failed', detail: answer.reason === 'status' ? `HTTP ${answer.status}: ${answer.detail}` : answer.detail };
  }
  const device: DeviceRecord = {
    id: 'device',
    deviceId: answer.data.id,
    name: answer.data.name,
    store: answer.data.store,
    credential: answer.data.credential,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    lease: answer.data.lease,
    enrolledAt: answer.data.enrolled_at,
    revokedAt: null,
    serverTime: { at: answer.data.server_time, proof: answer.data.server_time_proof },
  };
  await ports.save(device);
  return { ok: true, device };
}
