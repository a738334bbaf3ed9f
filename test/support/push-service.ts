/**
 * A push service stand-in on 127.0.0.1 (a real one is outside our control): it takes the real
 * encrypted request the server sends, keeps it, and answers what the test says. Its subscriptions
 * are real key pairs, so a test can check the VAPID header against the server's public key and
 * decrypt the payload with an independent implementation of RFC 8291 (webpush_decrypt.py).
 */
import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { base64UrlDecode, base64UrlEncode } from '../../core/encoding/bytes.ts';

const run = promisify(execFile);
const DECRYPT = fileURLToPath(new URL('./webpush_decrypt.py', import.meta.url));

export interface PushRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A phone's subscription as the browser would make it: a P-256 key pair and a 16-byte secret. */
export interface FakeSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  privatePkcs8: Uint8Array;
  authSecret: Uint8Array;
}

export async function startPushService(answer: (req: PushRequest) => number = () => 201) {
  const received: PushRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      res.writeHead(answer(r)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  return {
    url,
    received,
    /** A new subscription whose endpoint is on this stand-in. */
    async subscription(): Promise<FakeSubscription> {
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
      const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      const authSecret = crypto.getRandomValues(new Uint8Array(16));
      return {
        endpoint: `${url}/push/${++n}-${base64UrlEncode(crypto.getRandomValues(new Uint8Array(8)))}`,
        keys: { p256dh: base64UrlEncode(raw), auth: base64UrlEncode(authSecret) },
        privatePkcs8: new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey)),
        authSecret,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The plaintext of a push request, decrypted by the independent implementation. */
export async function decrypt(req: PushRequest, sub: FakeSubscription): Promise<string> {
  // Debian's Python with Debian's python3-cryptography (.ci/run installs it), whatever python3 is first on PATH.
  const child = run('/usr/bin/python3', [DECRYPT], { encoding: 'utf8' });
  child.child.stdin!.end(
    JSON.stringify({
      body: req.body.toString('base64'),
      ua_private_pkcs8: Buffer.from(sub.privatePkcs8).toString('base64'),
      auth_secret: Buffer.from(sub.authSecret).toString('base64'),
    }),
  );
  return (await child).stdout;
}

/**
 * The VAPID header (RFC 8292): `vapid t=JWT, k=KEY`, the key being the server's, the JWT signed
 * by it (ES256) for the push service's origin, expiring within 24 hours, with a contact.
 */
export function checkVapid(req: PushRequest, serverKey: string, origin: string, nowMs = Date.now()): { sub: string } {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(String(req.headers.authorization));
  if (!m) throw new Error(`Authorization is not a VAPID header: ${req.headers.authorization}`);
  const [jwt, k] = [m[1]!, m[2]!];
  if (k !== serverKey) throw new Error('the VAPID key is not the server’s');
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(base64UrlDecode(h)).toString());
  const claims = JSON.parse(Buffer.from(base64UrlDecode(p)).toString()) as { aud: string; exp: number; sub: string };
  if (header.alg !== 'ES256') throw new Error(`alg ${header.alg}`);
  const point = base64UrlDecode(k);
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: base64UrlEncode(point.slice(1, 33)), y: base64UrlEncode(point.slice(33, 65)) }, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, base64UrlDecode(s))) throw new Error('the VAPID signature does not verify');
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud}, not ${origin}`);
  if (!(claims.exp * 1000 > nowMs && claims.exp * 1000 <= nowMs + 24 * 3600_000 + 60_000)) throw new Error(`exp ${claims.exp} is not within 24 hours`);
  if (!claims.sub) throw new Error('no sub (contact)');
  return { sub: claims.sub };
}
