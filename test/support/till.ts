/**
 * A till as tests drive it: enrols through the API, keeps its chain, signs its records.
 *
 * A till reaches the server through a connection that also names the clock the till reads: the
 * harness's fake clock for an in-process app, the system clock for a server process (which reads
 * the same system clock). A record's time therefore always agrees with the server it is sent to,
 * whatever the calendar says.
 */
import {
  generateDeviceKeyPair,
  GENESIS_HASH,
  recordHash,
  signCollection,
  signPayout,
  signShiftClose,
  type ShiftCloseRecord,
  type SignedCollection,
  type Tender,
} from '../../core/collections/collection-record.ts';
import type { PayoutAuthorization, SignedPayout, SignedShiftClose } from '../../core/contract/till.ts';
import { systemClock, type Clock } from '../../api/clock.ts';

export type Request = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

/** How a test till reaches a server: its requests, and the clock that stamps its records. */
export interface TillConnection {
  request: Request;
  clock: Clock;
}

/** A connection to a server process at `url` (which keeps the system's time, as this till does). */
export function serverConnection(url: string, headers: Record<string, string> = {}): TillConnection {
  return {
    clock: systemClock,
    request: (method, path, body, extra = {}) =>
      fetch(url + path, { method, headers: { 'content-type': 'application/json', ...headers, ...extra }, body: body === undefined ? undefined : JSON.stringify(body) }),
  };
}

export class TestTill {
  seq = 0;
  prevHash = GENESIS_HASH;
  /** The newest server time this till has seen, with its proof (from enrolment, then each feed). */
  serverTime: { at: string; proof: string } | null = null;
  private constructor(
    readonly id: string,
    readonly credential: string,
    readonly keys: CryptoKeyPair,
    private readonly request: Request,
    private readonly clock: Clock,
    readonly enrolment: Record<string, unknown>,
  ) {}

  static async enrol({ request, clock }: TillConnection, code: string, name = 'Test till'): Promise<TestTill> {
    const keys = await generateDeviceKeyPair();
    const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const res = await request('POST', '/v1/devices', { enrollment_code: code, public_key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, name });
    if (res.status !== 201) throw new Error(`enrolment failed: ${res.status} ${await res.text()}`);
    const body = await res.json();
    const till = new TestTill(body.id, body.credential, keys, request, clock, body);
    till.serverTime = { at: body.server_time, proof: body.server_time_proof };
    return till;
  }

  /** The next record in this till's chain (advancing it), signed. */
  /**
   * The next record in this till's chain (advancing it), signed: version 2, naming the newest server
   * time the till has seen, unless `v1` asks for the older format (an app from before it).
   */
  async record(token: string, amount: number, opts: { currency?: string; tender?: Tender; collectedAt?: Date; id?: string; v1?: boolean } = {}): Promise<SignedCollection> {
    this.seq += 1;
    const common = {
      id: opts.id ?? crypto.randomUUID(),
      device_id: this.id,
      seq: this.seq,
      prev_hash: this.prevHash,
      token,
      amount,
      currency: opts.currency ?? 'EUR',
      tender: opts.tender ?? 'cash',
      tender_reference: opts.tender && opts.tender !== 'cash' ? 'TERM-0001' : null,
      collected_at: (opts.collectedAt ?? this.clock.now()).toISOString(),
    };
    const signed = await signCollection(
      opts.v1 || !this.serverTime ? { v: 1, ...common } : { v: 2, ...common, server_time: this.serverTime.at, server_time_proof: this.serverTime.proof },
      this.keys.privateKey,
    );
    this.prevHash = await recordHash(signed);
    return signed;
  }

  /** `POST /v1/till/payouts`: ask to pay a refund out here. */
  authorize(token: string, code?: string): Promise<Response> {
    return this.request('POST', '/v1/till/payouts', { token, ...(code === undefined ? {} : { code }) }, { authorization: `Bearer ${this.credential}` });
  }

  /** Asks for the grant and fails the test unless it is given. */
  async granted(token: string, code?: string): Promise<PayoutAuthorization> {
    const res = await this.authorize(token, code);
    if (res.status !== 200) throw new Error(`payout authorisation: ${res.status} ${await res.text()}`);
    return res.json();
  }

  void(authorizationId: string): Promise<Response> {
    return this.request('POST', `/v1/till/payouts/${authorizationId}/void`, undefined, { authorization: `Bearer ${this.credential}` });
  }

  /** The next record in this till's chain: a payout under a grant (by default of the grant's amount), signed. */
  async payout(
    token: string,
    grant: Pick<PayoutAuthorization, 'id' | 'amount' | 'currency' | 'server_time' | 'server_time_proof'>,
    opts: { amount?: number; paidAt?: Date } = {},
  ): Promise<SignedPayout> {
    this.seq += 1;
    const signed = await signPayout(
      {
        type: 'payout',
        v: 1,
        id: crypto.randomUUID(),
        device_id: this.id,
        seq: this.seq,
        prev_hash: this.prevHash,
        token,
        authorization_id: grant.id,
        amount: opts.amount ?? grant.amount,
        currency: grant.currency,
        paid_at: (opts.paidAt ?? this.clock.now()).toISOString(),
        server_time: grant.server_time,
        server_time_proof: grant.server_time_proof,
      },
      this.keys.privateKey,
    );
    this.prevHash = await recordHash(signed);
    return signed;
  }

  /** The next record in this till's chain: a shift close with these figures, signed. */
  async shiftClose(
    figures: Omit<ShiftCloseRecord, 'type' | 'v' | 'id' | 'device_id' | 'seq' | 'prev_hash' | 'server_time' | 'server_time_proof' | 'closed_at'> & { closedAt?: Date },
  ): Promise<SignedShiftClose> {
    const { closedAt, ...rest } = figures;
    this.seq += 1;
    const signed = await signShiftClose(
      {
        type: 'shift_close',
        v: 1,
        id: crypto.randomUUID(),
        device_id: this.id,
        seq: this.seq,
        prev_hash: this.prevHash,
        ...rest,
        closed_at: (closedAt ?? this.clock.now()).toISOString(),
        server_time: this.serverTime!.at,
        server_time_proof: this.serverTime!.proof,
      },
      this.keys.privateKey,
    );
    this.prevHash = await recordHash(signed);
    return signed;
  }

  send(collections: unknown[]): Promise<Response> {
    return this.request('POST', '/v1/collections', { collections }, { authorization: `Bearer ${this.credential}` });
  }

  async outcomes(
    collections: unknown[],
  ): Promise<Array<{ outcome: string; reason?: string; flags: string[]; detail: string; voucher_id: string | null; refund_id?: string; id: string | null }>> {
    const res = await this.send(collections);
    if (res.status !== 200) throw new Error(`collections: ${res.status} ${await res.text()}`);
    return (await res.json()).data;
  }

  /** GET /v1/till/feed; a page's server time (and proof) becomes the one the next records name. */
  async feed(since?: string): Promise<Response> {
    const res = await this.request('GET', `/v1/till/feed${since ? `?since=${encodeURIComponent(since)}` : ''}`, undefined, { authorization: `Bearer ${this.credential}` });
    if (res.status === 200) {
      const page = await res.clone().json();
      if (page.server_time_proof) this.serverTime = { at: page.server_time, proof: page.server_time_proof };
    }
    return res;
  }
}
