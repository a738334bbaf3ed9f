/** Environment, parsed once at start (docs/architecture.md §9.1: parse at the edges). */
import { z } from 'zod';
import { WEBHOOK_TARGET_POLICIES } from '../webhooks/webhook-target.ts';

/** The one spelling of PUBLIC_URL the code uses: no trailing slash, so `${publicUrl}/v/…` is always one slash. */
export const normalizePublicUrl = (url: string) => url.replace(/\/+$/, '');

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('localhost'),
  /** PGlite data folder, used when DATABASE_URL is not set. */
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  /** The base URL shoppers and tills reach Counterpay at; vouchers' QR codes and links start with it. */
  PUBLIC_URL: z.string().url().default('http://localhost:8080').transform(normalizePublicUrl),
  /** Encrypts the operator's private signing keys at rest (AES-256-GCM); see README. */
  SIGNING_KEY_SECRET: z.string().min(16, 'SIGNING_KEY_SECRET must be at least 16 characters').optional(),
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  /**
   * PGlite: below this much free space (MB) on DATA_DIR's disk the server refuses writes (503
   * `storage-full`) and keeps serving reads; writes resume at 16 MB more (api/db/embedded.ts).
   */
  DATA_DIR_MIN_FREE_MB: z.coerce.number().int().min(0).max(1_000_000).default(64),
  /** Connections in the PostgreSQL pool of one process. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** Run the outbox worker (webhooks, e-mail, SMS, expiry) inside this server process. */
  WORKER: z.enum(['on', 'off']).default('on'),
  WORKER_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** How long a worker holds a claimed outbox row before another may take it over. */
  OUTBOX_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /**
   * A client must send its request headers within HTTP_HEADERS_TIMEOUT_MS and its whole request
   * within HTTP_REQUEST_TIMEOUT_MS (a slow or stalled client then gets 408 and its socket closes,
   * instead of holding one for ever); an idle keep-alive connection closes after HTTP_KEEPALIVE_MS.
   */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  HTTP_KEEPALIVE_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** Console sessions (docs/console.md): end after this many minutes without a request, and this many hours after sign-in. */
  CONSOLE_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  CONSOLE_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  NODE_ENV: z.string().default('development'),
  /** Which addresses may receive webhooks: `public` (production's default) or `public-and-loopback`. */
  WEBHOOK_TARGETS: z.enum(WEBHOOK_TARGET_POLICIES).optional(),
  /** The built web app's folder (`npm run build` writes dist/); a deploy may build it elsewhere. */
  WEB_ROOT: z.string().min(1).optional(),
});
export type Env = z.infer<typeof Env>;

/**
 * Parses settings from the environment with `schema`: unset and empty variables count as absent,
 * and every problem is named in one "Invalid configuration" error. The server's settings and the
 * delivery settings (api/messages/config.ts) both come through here.
 */
export function parseSettings<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): { data: z.infer<S> } {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { data: parsed.data };
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = parseSettings(Env, source);
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.SIGNING_KEY_SECRET) {
    // Production keeps the operator's signing keys and the merchants' webhook secrets encrypted.
    throw new Error('Invalid configuration:\n  SIGNING_KEY_SECRET: required with NODE_ENV=production (it encrypts the signing keys and webhook secrets at rest)');
  }
  if (Boolean(parsed.data.TLS_CERT) !== Boolean(parsed.data.TLS_KEY)) {
    throw new Error('Invalid configuration:\n  TLS_CERT and TLS_KEY must be set together');
  }
  return parsed.data;
}
