/**
 * `npm start`: Counterpay's server. Opens the database (PGlite in DATA_DIR, or DATABASE_URL),
 * applies migrations, makes sure a signing key exists, seeds demo data on first start, and serves
 * the API and the PWA. On PGlite it also answers the CLI on DATA_DIR/counterpay.sock.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { parseEnv } from './config/env.ts';
import { createMailer, parseMessagesEnv } from './messages/config.ts';
import { openDatabase } from './db/client.ts';
import { DataDirBusyError } from './db/data-dir-lock.ts';
import { createServices } from './context.ts';
import { createApp } from './app.ts';
import { DEMO_MERCHANT_ID, DEMO_STORE_ID, demoEnrolmentCode, seedDemo } from './demo/seed.ts';
import { startAdminSocket } from './operator/admin-socket.ts';
import { summaryBudget } from '../core/token/limits.ts';
import { createWorker } from './outbox/run-worker.ts';

const log = (line: string) => console.log(`[counterpay] ${line}`);

/**
 * SIGINT (Ctrl-C) and SIGTERM (`kill`, `npm start` passing one on) stop the server cleanly. The
 * handlers are in place from the first line, so a signal during start-up is not the default
 * "die at once" with the data folder half-open: start-up finishes, then the server stops.
 */
let stop: ((signal: string) => Promise<void>) | null = null;
let stopWhenStarted: string | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop) void stop(signal);
    else stopWhenStarted ??= signal;
  });
}

async function main() {
  const env = parseEnv();
  // The delivery settings are checked now, with the rest, whether or not this process runs the
  // worker: a bad SMTP_URL must not wait until some later worker start to be found.
  parseMessagesEnv({ ...process.env, PUBLIC_URL: env.PUBLIC_URL });
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      poolSize: env.DATABASE_POOL_SIZE,
      minFreeBytes: env.DATA_DIR_MIN_FREE_MB * 1024 * 1024,
    });
  } catch (err) {
    if (err instanceof DataDirBusyError) {
      console.error(`[counterpay] ${err.message}: another Counterpay server is running on it. Stop it, or set DATA_DIR to another folder.`);
      process.exit(1);
    }
    throw err;
  }
  log(`database: ${database.kind === 'pglite' ? `PGlite in ${database.location}` : `PostgreSQL at ${database.location}`}`);

  const services = await createServices(database, {
    publicUrl: env.PUBLIC_URL,
    signingKeySecret: env.SIGNING_KEY_SECRET,
    production: env.NODE_ENV === 'production',
    webhookTargets: env.WEBHOOK_TARGETS,
    // The console's sign-in links go straight to SMTP while the person waits (docs/console.md);
    // the worker's start-up line already says where e-mail goes.
    mailer: createMailer({ ...process.env, PUBLIC_URL: env.PUBLIC_URL }, () => {}),
    console: { idleMs: env.CONSOLE_SESSION_IDLE_MINUTES * 60_000, absoluteMs: env.CONSOLE_SESSION_HOURS * 3_600_000 },
  });
  const key = await services.keys.ensureCurrent();
  log(`signing key ${key.kid} is current`);
  if (!services.vault.encrypts) {
    log('warning: SIGNING_KEY_SECRET is not set, so private signing keys are stored unencrypted in the database (fine for a trial, not for production)');
  }
  if (summaryBudget(services.publicUrl) < 8) {
    log(`warning: PUBLIC_URL ${services.publicUrl} is long; item summaries in QR codes are cut to ${summaryBudget(services.publicUrl)} bytes to stay within QR version 10`);
  }

  // Production seeds no demo data and prints no key or code.
  const demo = env.NODE_ENV === 'production' ? null : await seedDemo(services);
  if (demo) {
    log('first start: created the demo merchant "Demo Shop" (mer_demo) and the demo store "Demo Store" (sto_demo)');
    console.log(`Demo merchant API key: ${demo.apiKey}`);
    console.log(`Demo merchant test-mode API key: ${demo.testApiKey} (test vouchers; pay them with the test helpers, docs/test-mode.md)`);
  }
  if (env.NODE_ENV !== 'production') {
    if (!demo && (await services.network.listMerchants()).some((m) => m.id === DEMO_MERCHANT_ID)) {
      log(`demo merchant ${DEMO_MERCHANT_ID}: its API key was shown at first start; \`npx counterpay merchant new-key ${DEMO_MERCHANT_ID}\` makes a new one`);
    }
    const code = await demoEnrolmentCode(services);
    if (code === 'unused-exists')
      log(`the demo till enrolment code shown at an earlier start is still unused; \`npx counterpay device enroll-code --store ${DEMO_STORE_ID}\` makes another`);
    else if (code) console.log(`Demo till enrolment code: ${code} (open /cashier on the tablet; valid 24 h, once)`);
  }

  const worker = env.WORKER === 'on' ? createWorker(services, env, log) : undefined;
  const app = createApp(services, { afterWrite: worker ? () => worker.worker.wake() : undefined, webRoot: env.WEB_ROOT ? resolve(env.WEB_ROOT) : undefined });
  const tls = env.TLS_CERT && env.TLS_KEY ? { cert: readFileSync(env.TLS_CERT), key: readFileSync(env.TLS_KEY) } : undefined;
  // Node reads these when it creates the server and checks them every second: a stalled client gets 408.
  const timeouts = {
    headersTimeout: env.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout: Math.max(env.HTTP_REQUEST_TIMEOUT_MS, env.HTTP_HEADERS_TIMEOUT_MS),
    keepAliveTimeout: env.HTTP_KEEPALIVE_MS,
    connectionsCheckingInterval: Math.min(1000, env.HTTP_HEADERS_TIMEOUT_MS),
  };
  const server = serve({
    fetch: app.fetch,
    port: env.PORT,
    hostname: env.HOST,
    ...(tls ? { createServer: createHttpsServer, serverOptions: { ...tls, ...timeouts } } : { serverOptions: timeouts }),
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  log(`listening on ${tls ? 'https' : 'http'}://${env.HOST}:${port} (public URL ${services.publicUrl})`);

  const admin = database.kind === 'pglite' ? await startAdminSocket(services, env.DATA_DIR) : undefined;
  worker?.start();
  if (worker) log('outbox worker: on (webhooks, e-mail, SMS, voucher expiry)');
  const pruner = setInterval(() => services.idempotency.prune().catch(() => {}), 3600_000);
  pruner.unref();

  let stopping = false;
  stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    clearInterval(pruner);
    admin?.close();
    await worker?.stop();
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5000).unref();
    await closed;
    await database.close();
    process.exit(0);
  };
  if (stopWhenStarted) void stop(stopWhenStarted);
}

main().catch((err) => {
  console.error(`[counterpay] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
