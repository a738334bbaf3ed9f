/**
 * The signed voucher token (spec: docs/voucher-token.md).
 *
 * A token is a compact binary record signed with ES256 (ECDSA P-256, SHA-256) through WebCrypto,
 * written as decimal digits (./digits.ts) so that it rides in QR numeric mode inside a URL.
 * This file imports nothing from Node or the database: the page, the service worker, the API and
 * the tests all run this very code.
 *
 *   version u8 | [kind u8, version 2 only] | alg u8 | kid varint | id 8 bytes | amount varint
 *   | currency u16 | expires_at u32 | merchant str | order_ref str | summary str | signature 64 bytes
 *
 * Version 1 is always a live voucher (what the shopper pays). Version 2 names its kind in a signed
 * byte: a refund token (what a store pays out to the shopper) can never be read as a voucher, nor a
 * voucher as a refund, and a till that knows only version 1 refuses a refund as unsupported. The
 * byte's high bit marks a test-mode token: every till refuses it, and a till that predates the flag
 * reads an unknown kind and refuses it as unsupported.
 *
 * `str` is a length byte followed by that many bytes of UTF-8. Integers are big-endian;
 * varints are unsigned LEB128 in their shortest form. The signature covers every byte before it.
 */
import { bytesToDigits, digitsToBytes } from './digits.ts';

/** Vouchers are written in version 1 (the smallest QR, read by every till); other kinds in version 2. */
export const TOKEN_VERSION = 1;
export const TOKEN_VERSION_KINDED = 2;
/** What a token is for; its byte in version 2 (the low seven bits). */
export const TokenKind = { voucher: 1, refund: 2 } as const;
/** Set in version 2's kind byte: a test-mode token, for which no money may change hands (docs/voucher-token.md). */
export const TEST_FLAG = 0x80;
export type TokenKind = keyof typeof TokenKind;
const KIND_BY_BYTE = new Map<number, TokenKind>(Object.entries(TokenKind).map(([k, v]) => [v, k as TokenKind]));
/** Algorithm ids; a new one (Ed25519) gets the next number and its own signature length. */
export const TokenAlgorithm = { ES256: 1 } as const;
export const SIGNATURE_BYTES = 64;
export const VOUCHER_ID_BYTES = 8;

export interface VoucherClaims {
  /** `voucher` (the shopper pays `amount`) or `refund` (a store pays `amount` out); absent means voucher. */
  kind?: TokenKind;
  /** A test-mode token (created with a test API key): no till may take or pay out money for it. Absent means live. */
  test?: boolean;
  /** Id of the operator key that signs this token. */
  kid: number;
  /** The voucher's (or refund's) 8 random bytes; shown as `vch_…` (`rfd_…`), see ../vouchers/voucher-id.ts. */
  voucherId: Uint8Array;
  /** Amount due (or to pay out) in minor units of `currency`. */
  amount: number;
  /** ISO 4217 alphabetic code. */
  currency: string;
  /** Expiry, seconds since the Unix epoch. */
  expiresAt: number;
  /** Merchant display name (may be shortened, see ./limits.ts). */
  merchant: string;
  /** The merchant's order number, in full. */
  orderRef: string;
  /** A short item summary such as "2× Mug +3". */
  summary: string;
}

/** Claims as read from a token: the kind and the mode are always known. */
export type TokenClaims = VoucherClaims & { kind: TokenKind; test: boolean };

export type TokenDecodeResult = { ok: true; claims: TokenClaims; body: Uint8Array; signature: Uint8Array } | { ok: false; reason: 'malformed' | 'unsupported'; detail: string };

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  /**
   * malformed: not a Counterpay token at all (bad digits, truncated, trailing bytes, bad UTF-8);
   * unsupported: a version or algorithm this code does not know (an older app meets a newer token);
   * unknown_key: signed by a key this verifier does not hold or that was withdrawn;
   * bad_signature: the bytes were altered after signing, or forged.
   */
  | { ok: false; reason: 'malformed' | 'unsupported' | 'unknown_key' | 'bad_signature'; detail: string };

const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

class Writer {
  private bytes: number[] = [];
  u8(v: number) {
    this.bytes.push(v & 0xff);
  }
  u16(v: number) {
    this.bytes.push((v >>> 8) & 0xff, v & 0xff);
  }
  u32(v: number) {
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  varint(v: number) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint out of range: ${v}`);
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }
  raw(b: Uint8Array) {
    for (const x of b) this.bytes.push(x);
  }
  str(s: string) {
    const b = utf8.encode(s);
    if (b.length > 255) throw new RangeError(`text field longer than 255 bytes: ${s.slice(0, 20)}…`);
    this.u8(b.length);
    this.raw(b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  private need(n: number) {
    if (this.pos + n > this.b.length) throw new DecodeError('token is truncated');
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }
  u16(): number {
    return this.u8() * 0x100 + this.u8();
  }
  u32(): number {
    return this.u16() * 0x10000 + this.u16();
  }
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const byte = this.u8();
      if (i > 0 && byte === 0) throw new DecodeError('varint is not in its shortest form');
      value += (byte & 0x7f) * scale;
      if (!Number.isSafeInteger(value)) throw new DecodeError('varint is too large');
      if ((byte & 0x80) === 0) return value;
      scale *= 0x80;
    }
  }
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    const bytes = this.raw(this.u8());
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw new DecodeError('text field is not valid UTF-8');
    }
  }
  get remaining() {
    return this.b.length - this.pos;
  }
}

class DecodeError extends Error {}

/** Packs an ISO 4217 code into 15 bits: ((c0·26)+c1)·26+c2 with A = 0. */
export function packCurrency(code: string): number {
  if (!/^[A-Z]{3}$/.test(code)) throw new RangeError(`currency must be three letters A-Z: ${code}`);
  return [...code].reduce((acc, ch) => acc * 26 + (ch.charCodeAt(0) - 65), 0);
}

export function unpackCurrency(packed: number): string | null {
  if (packed >= 26 ** 3) return null;
  return String.fromCharCode(65 + Math.floor(packed / 676), 65 + (Math.floor(packed / 26) % 26), 65 + (packed % 26));
}

/** The signed part of a token: every byte before the signature. */
export function encodeClaims(claims: VoucherClaims): Uint8Array {
  if (claims.voucherId.length !== VOUCHER_ID_BYTES) throw new RangeError('voucher id must be 8 bytes');
  if (!Number.isInteger(claims.expiresAt) || claims.expiresAt < 0 || claims.expiresAt > 0xffffffff) {
    throw new RangeError(`expires_at out of range: ${claims.expiresAt}`);
  }
  const kind = claims.kind ?? 'voucher';
  const w = new Writer();
  if (kind === 'voucher' && !claims.test) w.u8(TOKEN_VERSION);
  else {
    w.u8(TOKEN_VERSION_KINDED);
    w.u8(TokenKind[kind] | (claims.test ? TEST_FLAG : 0));
  }
  w.u8(TokenAlgorithm.ES256);
  w.varint(claims.kid);
  w.raw(claims.voucherId);
  w.varint(claims.amount);
  w.u16(packCurrency(claims.currency));
  w.u32(claims.expiresAt);
  w.str(claims.merchant);
  w.str(claims.orderRef);
  w.str(claims.summary);
  return w.done();
}

/**
 * ECDSA P-256 over SHA-256 of `data`, as the raw r‖s signature (IEEE P1363, 64 bytes). A server
 * passes Node's own signing (api/signing-keys/signing-keys.service.ts): synchronous, with a key
 * object made once, it costs the API less than WebCrypto's job per voucher.
 */
export type SignP256 = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** The raw r‖s signature of `data` by `key`, a CryptoKey or a SignP256; refuses any other length. */
export async function signP256(key: CryptoKey | SignP256, data: Uint8Array): Promise<Uint8Array> {
  const signature = typeof key === 'function' ? await key(data) : new Uint8Array(await crypto.subtle.sign(ECDSA, key, data as BufferSource));
  if (signature.length !== 64) throw new Error(`an ES256 signature is 64 bytes (r‖s), not ${signature.length}`);
  return signature;
}

/**
 * Signs the claims with an operator private key (ECDSA P-256) and returns the token digits: the
 * key as a WebCrypto CryptoKey (which yields the raw r‖s signature, IEEE P1363, 64 bytes, what the
 * token carries) or a function that signs the same way.
 */
export async function signVoucherToken(claims: VoucherClaims, privateKey: CryptoKey | SignP256): Promise<string> {
  const body = encodeClaims(claims);
  const signature = await signP256(privateKey, body);
  const token = new Uint8Array(body.length + signature.length);
  token.set(body);
  token.set(signature, body.length);
  return bytesToDigits(token);
}

/** Parses a token without checking its signature: for display of already-verified data and for tests. */
export function decodeVoucherToken(token: string): TokenDecodeResult {
  const bytes = digitsToBytes(token);
  if (!bytes) return { ok: false, reason: 'malformed', detail: 'token is not a valid digit string' };
  try {
    const r = new Reader(bytes);
    const version = r.u8();
    if (version !== TOKEN_VERSION && version !== TOKEN_VERSION_KINDED) return { ok: false, reason: 'unsupported', detail: `token format version ${version} is not supported` };
    let kind: TokenKind = 'voucher';
    let test = false;
    if (version === TOKEN_VERSION_KINDED) {
      const byte = r.u8();
      const known = KIND_BY_BYTE.get(byte & ~TEST_FLAG);
      if (!known) return { ok: false, reason: 'unsupported', detail: `token kind ${byte & ~TEST_FLAG} is not supported` };
      kind = known;
      test = (byte & TEST_FLAG) !== 0;
    }
    const alg = r.u8();
    if (alg !== TokenAlgorithm.ES256) return { ok: false, reason: 'unsupported', detail: `signature algorithm ${alg} is not supported` };
    const kid = r.varint();
    const voucherId = r.raw(VOUCHER_ID_BYTES);
    const amount = r.varint();
    if (amount < 1) throw new DecodeError('amount must be positive');
    const currency = unpackCurrency(r.u16());
    if (!currency) throw new DecodeError('currency field is out of range');
    const expiresAt = r.u32();
    const merchant = r.str();
    const orderRef = r.str();
    const summary = r.str();
    const bodyLength = r.pos;
    if (r.remaining !== SIGNATURE_BYTES) {
      throw new DecodeError(r.remaining < SIGNATURE_BYTES ? 'signature is truncated' : 'token has trailing bytes');
    }
    return {
      ok: true,
      claims: { kind, test, kid, voucherId, amount, currency, expiresAt, merchant, orderRef, summary },
      body: bytes.slice(0, bodyLength),
      signature: bytes.slice(bodyLength),
    };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, reason: 'malformed', detail: err.message };
    throw err;
  }
}

/** A verifier's view of the operator keys: key id → public key. */
export type VerificationKeys = ReadonlyMap<number, CryptoKey>;

/**
 * Verifies a token against the operator's public keys, offline. Expiry is not judged here:
 * the shopper view still shows an expired voucher, the till refuses it (its own rule).
 */
export async function verifyVoucherToken(token: string, keys: VerificationKeys): Promise<TokenCheck> {
  const decoded = decodeVoucherToken(token);
  if (!decoded.ok) return decoded;
  const key = keys.get(decoded.claims.kid);
  if (!key) return { ok: false, reason: 'unknown_key', detail: `token is signed by key ${decoded.claims.kid}, which is not a known operator key` };
  const valid = await crypto.subtle.verify(ECDSA, key, decoded.signature as BufferSource, decoded.body as BufferSource);
  if (!valid) return { ok: false, reason: 'bad_signature', detail: 'token signature does not match its contents' };
  return { ok: true, claims: decoded.claims };
}
