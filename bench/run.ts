/**
 * `npm run bench`: Counterpay's speed and size figures, each as a ratio against a baseline
 * measured in the same run. Needs PostgreSQL (DATABASE_URL, default the local server).
 * `npm run bench -- api`, `-- web` or `-- failover` runs one part (`-- drain`: the PGlite drain without a browser;
 * `-- profile`: where the server's CPU goes while it creates vouchers, not part of the default run).
 */
import { benchCreateVoucher } from './api/create-voucher.ts';
import { benchIngest } from './api/ingest.ts';
import { benchWebhooks } from './api/webhooks.ts';
import { benchPayouts } from './api/payouts.ts';
import { benchDrainPglite } from './api/drain-pglite.ts';
import { runWebBench } from './web/run.ts';
import { benchFailover } from './ha/failover.ts';
import { profileCreateVoucher } from './api/profile.ts';
import { startServer } from '../test/support/server.ts';
import { removeScratch } from '../test/support/scratch.ts';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const only = process.argv[2];

if (!only || only === 'api') await benchCreateVoucher(process.env.DATABASE_URL);
if (!only || only === 'api' || only === 'ingest') await benchIngest();
if (!only || only === 'api' || only === 'webhooks') await benchWebhooks();
if (!only || only === 'api' || only === 'payouts') await benchPayouts();
if (!only || only === 'api' || only === 'drain') await benchDrainPglite();
if (!only || only === 'failover') await benchFailover();
if (only === 'profile') await profileCreateVoucher();
try {
  if (!only || only === 'web') await runWebBench(startServer);
} finally {
  removeScratch();
}
