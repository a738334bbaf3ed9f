/** A real HTTP receiver on 127.0.0.1 for webhook and SMS tests, with a programmable answer. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export async function startReceiver(answer: (req: Received, n: number) => number | Promise<number> | 'hang' = () => 200) {
  const received: Received[] = [];
  let inFlight = new Map<string, number>();
  let maxConcurrentPerId = 0;
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
    received.push(r);
    const id = String(req.headers['webhook-id'] ?? '');
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    maxConcurrentPerId = Math.max(maxConcurrentPerId, inFlight.get(id)!);
    const status = await answer(r, received.length);
    if (status === 'hang') {
      hanging.push(res);
      return;
    }
    inFlight.set(id, inFlight.get(id)! - 1);
    res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    maxConcurrentPerId: () => maxConcurrentPerId,
    reset: () => {
      received.length = 0;
      inFlight = new Map();
      maxConcurrentPerId = 0;
    },
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Standard Webhooks verification, written from the specification independently of the server's signer.
 * `now` is the receiver's time: the clock the sending server was given, so the tolerance check holds
 * on any calendar day.
 */
export async function verifyStandardWebhook(secret: string, headers: http.IncomingHttpHeaders, body: string, now: Date): Promise<boolean> {
  const { createHmac, timingSafeEqual } = await import('node:crypto');
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  // Receivers reject a timestamp more than five minutes off (the specification's tolerance).
  if (!/^\d+$/.test(timestamp) || Math.abs(now.getTime() / 1000 - Number(timestamp)) > 5 * 60) return false;
  const expected = createHmac('sha256', Buffer.from(secret.split('_')[1]!, 'base64'))
    .update(`${id}.${timestamp}.${body}`)
    .digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((part) => {
      const [version, sig] = part.split(',');
      const given = Buffer.from(sig ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}
