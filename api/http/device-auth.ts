/** `Authorization: Bearer <till credential>` → the device and its store, on c.var.till. */
import { createMiddleware } from 'hono/factory';
import { UnauthenticatedError } from '../errors.ts';
import type { DevicesService } from '../till-api/devices.service.ts';
import type { DeviceRow, StoreRow } from '../till-api/devices.repository.ts';

export type TillEnv = { Variables: { till: { device: DeviceRow; store: StoreRow } } };

export const deviceAuth = (devices: DevicesService) =>
  createMiddleware<TillEnv>(async (c, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw new UnauthenticatedError('send the till credential as "Authorization: Bearer <credential>" (enrol the till first)');
    c.set('till', await devices.authenticate(match[1]!));
    await next();
  });
