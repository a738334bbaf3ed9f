/**
 * Where a webhook may go, and the one way Counterpay sends to it (docs/security.md, "Webhook targets").
 *
 * A merchant names the URL, so without a rule Counterpay would POST wherever a merchant points it,
 * inside the operator's own network included, and the deliveries list would tell the merchant what
 * answered there (a port scanner with our credentials). The rule, as payment processors keep it:
 *
 *   - `public` (production's default): only public unicast addresses. Loopback, RFC 1918, link-local,
 *     CGNAT, unique-local, multicast, broadcast, unspecified, documentation and other reserved
 *     ranges, IPv4-mapped and the IPv6 transition forms (6to4, Teredo, NAT64) are refused, in every
 *     notation: the WHATWG URL parser turns `127.1`, `0x7f000001`, `2130706433` and `0177.0.0.1`
 *     into `127.0.0.1` before the check, and ipaddr.js names the range of what is left.
 *   - `public-and-loopback` (the development default): loopback as well, so a merchant can try a
 *     receiver on their own machine. Set with WEBHOOK_TARGETS.
 *
 * The host is resolved and checked at every delivery (DNS may change after registration), and the
 * connection goes to the very address that was checked (a `lookup` that answers with it), so a DNS
 * answer that changes between the check and the connection (rebinding) cannot redirect it. Redirects
 * are not followed, a delivery times out, and at most MAX_ANSWER_BYTES of the answer are read.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export const WEBHOOK_TARGET_POLICIES = ['public', 'public-and-loopback'] as const;
export type WebhookTargetPolicy = (typeof WEBHOOK_TARGET_POLICIES)[number];

/** What is kept of a receiver's answer. */
export const MAX_ANSWER_BYTES = 4096;

/** The plain-words name of each range ipaddr.js reports, for the refusal's sentence. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT (RFC 6598) address',
  uniqueLocal: 'a unique-local IPv6 address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  unspecified: 'the unspecified address',
  reserved: 'a reserved address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'a NAT64 (RFC 6052) address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
  benchmarking: 'a benchmarking address',
  amt: 'an AMT address',
  as112: 'an AS112 address',
  deprecated: 'a deprecated address',
  orchid2: 'an ORCHIDv2 address',
  droneRemoteIdProtocolEntityTags: 'a drone remote-ID address',
};

/** A target the policy refuses; the message says which address and why. */
export class WebhookTargetRefused extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host === address ? address : `${host} resolves to ${address}, which`} is ${RANGE_WORDS[range] ?? `a ${range} address`}; webhooks go only to public addresses`);
  }
}

/** The address a URL's hostname names literally (brackets stripped), or null for a DNS name. */
export function literalAddress(hostname: string): string | null {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(bare) ? bare : null;
}

/** Why `address` may not receive webhooks under `policy`, or null when it may. Pure: no network. */
export function refusedRange(address: string, policy: WebhookTargetPolicy): string | null {
  const range = ipaddr.parse(address).range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy === 'public-and-loopback') return null;
  return range;
}

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Resolves a URL's host and checks every address it has: one refused address refuses the target
 * (an attacker controls which of several answers a client picks). Returns the address to connect to.
 */
export async function checkedAddress(url: URL, policy: WebhookTargetPolicy, lookup: Lookup = systemLookup): Promise<{ address: string; family: 4 | 6 }> {
  const literal = literalAddress(url.hostname);
  const answers = literal ? [{ address: literal, family: ipaddr.parse(literal).kind() === 'ipv6' ? 6 : 4 }] : await lookup(url.hostname);
  if (answers.length === 0) throw new Error(`${url.hostname} does not resolve`);
  for (const a of answers) {
    const range = refusedRange(a.address, policy);
    if (range) throw new WebhookTargetRefused(url.hostname.replace(/^\[(.*)\]$/, '$1'), a.address, range);
  }
  const first = answers[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface TargetAnswer {
  status: number;
  /** At most MAX_ANSWER_BYTES of the body, as text. */
  body: string;
}

/**
 * POSTs `body` to `url` after checking where it goes, connecting to the checked address only.
 * Never follows a redirect (a 3xx is an answer like any other, and not a 2xx).
 */
export async function postToTarget(
  url: URL,
  request: { headers: Record<string, string>; body: string | Buffer; timeoutMs: number; policy: WebhookTargetPolicy; lookup?: Lookup },
): Promise<TargetAnswer> {
  const target = await checkedAddress(url, request.policy, request.lookup);
  // The socket connects to the checked address whatever DNS says by now; Host and TLS SNI keep
  // the URL's hostname, so certificates and virtual hosts work as usual.
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<TargetAnswer>((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: pinned,
      timeout: request.timeoutMs,
      agent: false,
    });
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        if (kept < MAX_ANSWER_BYTES) {
          const part = chunk.subarray(0, MAX_ANSWER_BYTES - kept);
          chunks.push(part);
          kept += part.length;
        }
        // Enough is kept: stop reading a long (or endless) answer.
        if (kept >= MAX_ANSWER_BYTES) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.end(request.body);
  });
}
