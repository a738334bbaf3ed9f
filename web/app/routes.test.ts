import { describe, expect, it } from 'vitest';
import { parseRoute, savedVoucherPath } from './routes.ts';
import { isServerPath } from './server-paths.ts';

describe('app routes', () => {
  it('tells the QR route /V/ from the short-link route /v/ by case', () => {
    expect(parseRoute('/V/0123456789')).toEqual({ name: 'inline', token: '0123456789' });
    expect(parseRoute('/v/0123456789ABCDEFGHJKMNPQRS')).toEqual({ name: 'link', code: '0123456789abcdefghjkmnpqrs' });
  });

  it('round-trips the stable voucher address', () => {
    expect(parseRoute(savedVoucherPath('vch_0123456789abc'))).toEqual({ name: 'saved', id: 'vch_0123456789abc' });
  });

  it('maps the wallet, the cashier view and unknown paths', () => {
    expect(parseRoute('/')).toEqual({ name: 'wallet' });
    expect(parseRoute('/cashier')).toEqual({ name: 'cashier' });
    expect(parseRoute('/cashier/')).toEqual({ name: 'cashier' });
    expect(parseRoute('/nope')).toEqual({ name: 'not_found', path: '/nope' });
  });
});

describe('server paths the service worker must not answer', () => {
  it('covers the API, its OpenAPI document, its docs and the health check', () => {
    for (const path of ['/v1/keys', '/v1/voucher-links/abc', '/v1', '/openapi.json', '/docs', '/docs/', '/docs/x', '/healthz']) {
      expect(isServerPath(path), path).toBe(true);
    }
  });

  it('leaves every app route to the app, including /v/ and /V/', () => {
    for (const path of ['/', '/V/123', '/v/abc', '/vouchers/vch_1', '/cashier', '/v1x', '/docsy', '/openapi.jsonx']) {
      expect(isServerPath(path), path).toBe(false);
    }
  });
});
