/**
 * The server does not wait for ever on a client: one that stops half-way through its request
 * headers gets 408 and its socket is closed (HTTP_HEADERS_TIMEOUT_MS, set low here so the test
 * waits for the close, not for a clock), while the server keeps answering others.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from '../support/server.ts';

describe('a client that stalls', () => {
  it('gets 408 and a closed socket after the header timeout, and the server keeps serving', async () => {
    const server = await startServer({ env: { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000' } });
    try {
      const { port, hostname } = new URL(server.url);
      const socket = net.connect(Number(port), hostname);
      let received = '';
      socket.on('data', (d) => (received += d));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '); // and nothing more
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 40_000); // Node’s own header timeout is 60 s: only ours closes the socket within this
});
