/**
 * Tills: enrolment by a one-time code, the bearer credential, revocation, the lease, and journal
 * health for the operator.
 */
import { createHash } from 'node:crypto';
import { base32Encode, randomBytes } from '../../core/encoding/bytes.ts';
import type { EnrolledDevice, EnrolRequest, Lease, Store } from '../../core/contract/till.ts';
import { isCurrency } from '../../core/money/money.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { ConflictError, EnrolmentCodeInvalidError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import { signServerTime } from '../../core/collections/server-time.ts';
import type { SigningKeys } from '../signing-keys/signing-keys.service.ts';
import { devicesRepository as repo, type DeviceRow, type StoreRow } from './devices.repository.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
export const ENROLMENT_CODE_TTL_MS = 24 * 3600_000;

/** "ABCD-EFGH": 40 random bits in upper-case Crockford Base32, easy to read out and type. */
function newEnrolmentCode(): string {
  const raw = base32Encode(randomBytes(5)).toUpperCase();
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}`;
}
/** What people type: case, spaces and dashes do not matter; I/L read as 1 and O as 0 (Crockford). */
export function normalizeEnrolmentCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export function leaseOf(store: StoreRow): Lease {
  return {
    currency: store.currency,
    max_voucher_amount: store.maxVoucherAmount,
    max_unsynced_total: store.maxUnsyncedTotal,
    max_unsynced_count: store.maxUnsyncedCount,
    max_offline_seconds: store.maxOfflineSeconds,
  };
}

export const storeJson = (s: StoreRow): Store => ({ id: s.id, name: s.name, currency: s.currency });

export class DevicesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keys: SigningKeys,
  ) {}

  async createEnrolmentCode(storeId: string) {
    const store = await repo.store(this.db, storeId);
    // A test till's store enrols no real till: it is Counterpay's own (api/test-helpers/test-till.ts).
    if (!store || store.testMerchantId) throw new NotFoundError('store', storeId);
    const code = newEnrolmentCode();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_TTL_MS);
    await repo.insertCode(this.db, { codeHash: sha256Hex(normalizeEnrolmentCode(code)), storeId, createdAt: now, expiresAt });
    return { code, expires_at: expiresAt.toISOString(), store: storeJson(store) };
  }

  /** Whether the store has an enrolment code that can still be used. */
  hasUnusedCode(storeId: string): Promise<boolean> {
    return repo.hasUnusedCode(this.db, storeId, this.clock.now());
  }

  async enrol(input: EnrolRequest): Promise<EnrolledDevice> {
    // The key must be a usable P-256 point, or the till could never be verified.
    try {
      await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: input.public_key.x, y: input.public_key.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    } catch {
      throw new ValidationError('public_key is not a P-256 public key', [{ field: 'public_key', message: 'not a P-256 public key' }]);
    }
    const now = this.clock.now();
    const codeHash = sha256Hex(normalizeEnrolmentCode(input.enrollment_code));
    const credential = `cpd_${base32Encode(randomBytes(20))}`;
    const id = newId('dev');
    const device = await repo.enrol(this.db, codeHash, now, {
      id,
      name: input.name?.trim() || `Till ${id.slice(-4)}`,
      publicJwk: { kty: 'EC', crv: 'P-256', x: input.public_key.x, y: input.public_key.y },
      credentialHash: sha256Hex(credential),
      enrolledAt: now,
    });
    // One answer for an unknown, a used and an expired code: telling them apart would tell a
    // guesser which codes exist. (Attempts are rate-limited per address, api/http/rate-limit.ts.)
    if (!device) throw new EnrolmentCodeInvalidError('this enrolment code is not valid: it may be mistyped, already used or expired; check it or ask the operator for a new one');
    const store = (await repo.store(this.db, device.storeId))!;
    const serverTime = now.toISOString();
    return {
      object: 'device',
      id: device.id,
      name: device.name,
      store: storeJson(store),
      credential,
      lease: leaseOf(store),
      enrolled_at: device.enrolledAt.toISOString(),
      server_time: serverTime,
      server_time_proof: await signServerTime(device.id, serverTime, await this.keys.signer()),
    };
  }

  /** The device behind a bearer credential; revoked devices authenticate (their records are still taken, as rejected). */
  async authenticate(credential: string): Promise<{ device: DeviceRow; store: StoreRow }> {
    const device = await repo.byCredential(this.db, sha256Hex(credential));
    if (!device) throw new UnauthenticatedError('the till credential is not valid; enrol the till again');
    const store = (await repo.store(this.db, device.storeId))!;
    return { device, store };
  }

  async revoke(id: string) {
    const row = await repo.revoke(this.db, id, this.clock.now());
    if (!row) {
      // A state that forbids the change, like canceling a paid voucher: 409 in both cases.
      if (await repo.byId(this.db, id)) throw new ConflictError('device-already-revoked', `till ${id} is already revoked`);
      throw new NotFoundError('till', id);
    }
    return { id: row.id, revoked_at: row.revokedAt!.toISOString() };
  }

  async list() {
    const rows = await repo.listWithHealth(this.db);
    return rows.map((r) => {
      const gaps = r.maxSeq - r.distinctSeqs;
      const reused = r.collections - r.distinctSeqs;
      const flags = [
        gaps > 0 && `${gaps} missing record(s)`,
        reused > 0 && `${reused} reused sequence number(s)`,
        r.chainBreaks > 0 && `${r.chainBreaks} chain break(s)`,
        r.rejected > 0 && `${r.rejected} rejected`,
      ].filter(Boolean) as string[];
      return {
        id: r.id,
        store_id: r.storeId,
        name: r.name,
        status: r.revokedAt ? ('revoked' as const) : ('active' as const),
        enrolled_at: r.enrolledAt.toISOString(),
        last_seen_at: r.lastSeenAt?.toISOString() ?? null,
        collections: r.collections,
        last_seq: r.maxSeq,
        missing_records: gaps,
        reused_sequence_numbers: reused,
        chain_breaks: r.chainBreaks,
        rejected: r.rejected,
        flags,
      };
    });
  }

  /** Changes a store's lease (the contract's words: core/contract/till.ts Lease); its tills take it at their next sync. */
  async setLimits(storeId: string, input: Partial<Lease>) {
    if (input.currency !== undefined && !isCurrency(input.currency))
      throw new ValidationError(`unknown currency ${input.currency}`, [{ field: 'currency', message: 'an ISO 4217 code such as EUR' }]);
    for (const [field, value] of Object.entries(input)) {
      if (field !== 'currency' && value !== undefined && (!Number.isSafeInteger(value) || (value as number) <= 0)) {
        throw new ValidationError(`${field} must be a positive whole number`, [{ field, message: 'a positive whole number' }]);
      }
    }
    const columns = {
      currency: input.currency,
      maxVoucherAmount: input.max_voucher_amount,
      maxUnsyncedTotal: input.max_unsynced_total,
      maxUnsyncedCount: input.max_unsynced_count,
      maxOfflineSeconds: input.max_offline_seconds,
    };
    const changes = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length === 0) throw new ValidationError('give at least one limit to change', []);
    const row = await repo.setLimits(this.db, storeId, changes);
    if (!row) throw new NotFoundError('store', storeId);
    return { store: storeJson(row), lease: leaseOf(row) };
  }
}
