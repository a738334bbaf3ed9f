/** What the API's middleware knows of a request's body before reading it. */
import type { Context } from 'hono';

/**
 * Whether the request carries a body, told by its framing headers where it came over HTTP: asking
 * for `c.req.raw.body` makes the Node adapter build a web Request and stream around the socket,
 * which costs more than the rest of a small request's parsing (docs/capacity.md), and leaves the
 * adapter's direct read of the body (c.req.json()) unused. Over HTTP/1.1 a body without
 * Content-Length or Transfer-Encoding does not exist; an in-process request (app.request) is asked.
 */
export function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  const chunked = c.req.header('transfer-encoding') !== undefined;
  if (length !== undefined || chunked) return chunked || length !== '0';
  const overHttp = (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;
  return !overHttp && c.req.raw.body !== null;
}
