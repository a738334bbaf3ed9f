/**
 * Webhook targets (api/webhooks/webhook-target.ts): in production only public addresses, in every
 * notation, checked at registration and again at delivery, connected to the checked address, no
 * redirects, bounded in time; redelivery rate-limited per endpoint.
 *
 * Network safety: nothing here connects anywhere but 127.0.0.1. A refusal is proven by a listener
 * on 127.0.0.1 that counts connections and must see none; the other addresses are only classified.
 */
import type net from 'node:net';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.ts';
import { harness, harnessPerSuite } from '../support/harness.ts';
import { OutboxWorker, type MessageSender } from '../../api/outbox/worker.ts';
import { checkedAddress, postToTarget, refusedRange, type Lookup } from '../../api/webhooks/webhook-target.ts';
import { REDELIVERIES_PER_WINDOW } from '../../api/webhooks/webhooks.service.ts';

const noMessages: MessageSender = {
  sendVoucher: async () => {
    throw new Error('no messages in this test');
  },
  sendRefund: async () => {
    throw new Error('no messages in this test');
  },
};

/** A resolver that knows loopback names only: no test ever asks a real DNS server. */
const loopbackOnly: Lookup = async (hostname) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

/** An HTTP listener on 127.0.0.1 that counts every TCP connection it gets, and the requests. */
async function countingListener(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, res) => res.end('ok')) {
  let connections = 0;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    answer(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('which addresses may receive webhooks', () => {
  // Every one of these is refused under the production policy; none is ever connected to.
  const refused: Array<[string, string]> = [
    ['https://127.0.0.1:5432/', 'loopback'],
    ['https://localhost:8443/', 'loopback'],
    ['https://127.1/', 'loopback'],
    ['https://0x7f000001/', 'loopback'],
    ['https://2130706433/', 'loopback'],
    ['https://0177.0.0.1/', 'loopback'],
    ['https://0x7f.1/', 'loopback'],
    ['https://[::1]/', 'loopback'],
    ['https://[::ffff:127.0.0.1]/', 'ipv4Mapped'],
    ['https://[::ffff:7f00:1]/', 'ipv4Mapped'],
    ['https://10.0.0.8/', 'private'],
    ['https://172.16.5.4/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['https://100.64.0.1/', 'carrierGradeNat'],
    ['https://[fc00::1]/', 'uniqueLocal'],
    ['https://[fe80::1]/', 'linkLocal'],
    ['https://224.0.0.1/', 'multicast'],
    ['https://0.0.0.0/', 'unspecified'],
    ['https://0/', 'unspecified'],
    ['https://[::]/', 'unspecified'],
    ['https://255.255.255.255/', 'broadcast'],
    ['https://192.0.2.10/', 'reserved'],
    ['https://[64:ff9b::7f00:1]/', 'rfc6052'],
    ['https://[2002:7f00:1::]/', '6to4'],
  ];

  it.each(refused)('refuses %s in production (%s), in whatever notation it is written', async (url, range) => {
    await expect(checkedAddress(new URL(url), 'public', loopbackOnly)).rejects.toMatchObject({ range });
  });

  it('lets loopback through in development, and nothing else that is not public', () => {
    expect(refusedRange('127.0.0.1', 'public-and-loopback')).toBeNull();
    expect(refusedRange('::1', 'public-and-loopback')).toBeNull();
    expect(refusedRange('10.0.0.1', 'public-and-loopback')).toBe('private');
    expect(refusedRange('169.254.169.254', 'public-and-loopback')).toBe('linkLocal');
    // Public unicast addresses pass (classified only: nothing is sent to them).
    expect(refusedRange('93.184.215.14', 'public')).toBeNull();
    expect(refusedRange('2a00:1450:4001:82a::200e', 'public')).toBeNull();
  });

  it('refuses a name when any one of its addresses is not public', async () => {
    const mixed: Lookup = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.1.1.1', family: 4 },
    ];
    await expect(checkedAddress(new URL('https://shop.example/hooks'), 'public', mixed)).rejects.toThrow(/shop\.example resolves to 10\.1\.1\.1, which is a private/);
  });
});

describe('sending to a checked target', () => {
  it('connects to the address it checked, whatever the name resolves to afterwards (no DNS rebinding)', async () => {
    const listener = await countingListener();
    let asked = 0;
    // The first answer is the checked one; any later answer would point elsewhere.
    const rebinding: Lookup = async () => (asked++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '127.0.0.2', family: 4 }]);
    try {
      const answer = await postToTarget(new URL(`http://receiver.localhost:${listener.port}/hooks`), {
        headers: {},
        body: '{}',
        timeoutMs: 5000,
        policy: 'public-and-loopback',
        lookup: rebinding,
      });
      expect(answer.status).toBe(200);
      expect(asked).toBe(1);
      expect(listener.requests).toEqual(['POST /hooks']);
    } finally {
      await listener.close();
    }
  });

  it('does not follow a redirect, keeps at most 4 KiB of the answer, and gives up on a receiver that never answers', async () => {
    const second = await countingListener();
    const first = await countingListener((req, res) => {
      if (req.url === '/redirect') return res.writeHead(307, { location: `${second.url}/elsewhere` }).end();
      if (req.url === '/long') return res.writeHead(200).end('x'.repeat(100_000));
      // '/hang': never answers.
    });
    try {
      const send = (path: string, timeoutMs = 5000) => postToTarget(new URL(`${first.url}${path}`), { headers: {}, body: '{}', timeoutMs, policy: 'public-and-loopback' });
      expect((await send('/redirect')).status).toBe(307);
      expect(second.connections()).toBe(0);
      const long = await send('/long');
      expect(long.body.length).toBe(4096);
      await expect(send('/hang', 300)).rejects.toThrow(/no answer within 300 ms/);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe.each(drivers)('webhook endpoints under the production policy on $name', (driver) => {
  const s = harnessPerSuite(driver, { webhookTargets: 'public', webhookLookup: loopbackOnly });

  it('refuses a non-public endpoint at registration with a problem that says why, and stores nothing', async () => {
    for (const url of [
      'http://127.0.0.1:5432/',
      'http://localhost:8080/hooks',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/',
    ]) {
      const res = await s.h.req('POST', '/v1/webhook_endpoints', { url, events: ['voucher.paid'] });
      expect(res.status, url).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = await res.json();
      expect(problem.errors[0]).toMatchObject({ field: 'url', message: expect.stringMatching(/webhooks go only to public addresses/) });
    }
    expect((await (await s.h.req('GET', '/v1/webhook_endpoints')).json()).data).toEqual([]);
  });

  it('checks again at delivery: an endpoint that now points inside gets no connection at all', async () => {
    const listener = await countingListener();
    try {
      // Registered while the development policy allowed loopback (as if its DNS changed since).
      const dev = await harness(s.database, { webhookTargets: 'public-and-loopback' });
      const created = await dev.req('POST', '/v1/webhook_endpoints', { url: `${listener.url}/hooks`, events: ['voucher.canceled'] });
      expect(created.status).toBe(201);
      const endpoint = await created.json();
      const v = await (await dev.req('POST', '/v1/vouchers', { order_ref: 'SSRF-1', amount: 500, currency: 'EUR' })).json();
      await dev.req('POST', `/v1/vouchers/${v.id}/cancel`);

      const worker = new OutboxWorker(s.database.db, dev.services.vault, dev.clock, noMessages, { targets: 'public' });
      while ((await worker.runOnce()) > 0) {
        /* drain */
      }
      expect(listener.connections()).toBe(0);
      const [delivery] = (await (await dev.req('GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries`)).json()).data;
      expect(delivery).toMatchObject({
        status: 'pending',
        last_status: null,
        last_error: expect.stringMatching(/127\.0\.0\.1 is a loopback address; webhooks go only to public addresses/),
      });
    } finally {
      await listener.close();
    }
  });

  it(`lets a merchant ask for ${REDELIVERIES_PER_WINDOW} redeliveries per endpoint a minute, then answers 429 with Retry-After`, async () => {
    const dev = await harness(s.database, { webhookTargets: 'public-and-loopback' });
    const endpoint = await (await dev.req('POST', '/v1/webhook_endpoints', { url: 'http://127.0.0.1:9/hooks', events: ['voucher.canceled'] })).json();
    const v = await (await dev.req('POST', '/v1/vouchers', { order_ref: 'RL-1', amount: 500, currency: 'EUR' })).json();
    await dev.req('POST', `/v1/vouchers/${v.id}/cancel`);
    const [delivery] = (await (await dev.req('GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries`)).json()).data;
    for (let i = 0; i < REDELIVERIES_PER_WINDOW; i++) expect((await dev.req('POST', `/v1/webhook_deliveries/${delivery.id}/redeliver`)).status).toBe(202);
    const limited = await dev.req('POST', `/v1/webhook_deliveries/${delivery.id}/redeliver`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toMatchObject({ type: '/docs/problems#rate-limited', status: 429 });
    dev.clock.advance(61_000);
    expect((await dev.req('POST', `/v1/webhook_deliveries/${delivery.id}/redeliver`)).status).toBe(202);
  });
});
