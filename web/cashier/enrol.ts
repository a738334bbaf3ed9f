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
