/**
 * The till routes' one guard: `Authorization: Bearer <till credential>` → the device and its store,
 * on c.var.till. A revoked till is refused (403) on every till route, except where the route says
 * `revoked: 'record'`: collection ingest, which keeps what a lost till sends, as rejected, for
 * review (nothing a till recorded is ever dropped).
 */
import { createMiddleware } from 'hono/factory';
import { DeviceRevokedError, UnauthenticatedError } from '../errors.ts';
import type { DevicesService } from '../till-api/devices.service.ts';
import type { DeviceRow, StoreRow } from '../till-api/devices.repository.ts';

export type TillEnv = { Variables: { till: { device: DeviceRow; store: StoreRow } } };

export const deviceAuth = (devices: DevicesService, options: { revoked: 'refuse' | 'record' } = { revoked: 'refuse' }) =>
  createMiddleware<TillEnv>(async (c, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw new UnauthenticatedError('send the till credential as "Authorization: Bearer <credential>" (enrol the till first)');
    const till = await devices.authenticate(match[1]!);
    if (till.device.revokedAt && options.revoked === 'refuse') throw new DeviceRevokedError(till.device.id);
    c.set('till', till);
    await next();
  });
