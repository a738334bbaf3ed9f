/**
 * Builds the API's services over one database. The HTTP app, the admin socket and the CLI all use
 * this, so an operator command does the same thing whichever way it arrives.
 */
import { TestTills } from './test-helpers/test-till.ts';
import { TestData } from './test-helpers/test-data.ts';
import { StoresService } from './stores/stores.service.ts';
import { PushService } from './push/push.service.ts';
import type { Database } from './db/client.ts';
import { normalizePublicUrl } from './config/env.ts';
import { systemClock, type Clock } from './clock.ts';
import { KeyVault } from './signing-keys/key-vault.ts';
import { SigningKeys } from './signing-keys/signing-keys.service.ts';
import { NetworkService } from './network/network.service.ts';
import { merchantName } from './network/network.repository.ts';
import { IdempotencyService } from './idempotency/idempotency.service.ts';
import { VouchersService } from './merchant-api/vouchers/vouchers.service.ts';
import { RefundsService } from './refunds/refunds.service.ts';
import { DevicesService } from './till-api/devices.service.ts';
import { CollectionsService } from './till-api/collections.service.ts';
import { ReviewService } from './review/review.service.ts';
import { ShiftsService } from './till-api/shifts.service.ts';
import { FeedService } from './till-api/feed.service.ts';
import { LedgerService } from './ledger/ledger.service.ts';
import { WebhooksService, type WebhookRules } from './webhooks/webhooks.service.ts';
import { EventsService } from './events/events.service.ts';
import type { Lookup, WebhookTargetPolicy } from './webhooks/webhook-target.ts';
import { ConsoleService, type ConsoleSettings } from './console/console.service.ts';
import { OverviewService } from './operator-api/overview.service.ts';
import { UnconfiguredMailer, type Mailer } from './messages/delivery.ts';

export interface ContextOptions {
  publicUrl: string;
  signingKeySecret?: string;
  clock?: Clock;
  /** Production rules: webhook endpoints must be HTTPS. */
  production?: boolean;
  /** Which addresses may receive webhooks; default `public` in production, else `public-and-loopback`. */
  webhookTargets?: WebhookTargetPolicy;
  /** Host name resolution for webhook targets (tests pass one that knows loopback names only). */
  webhookLookup?: Lookup;
  /** Sends the console's sign-in links (default: none configured, so asking for one answers 503). */
  mailer?: Mailer;
  /** Console session expiries (default 30 minutes idle, 12 hours absolute). */
  console?: ConsoleSettings;
}

export interface Services {
  database: Database;
  clock: Clock;
  publicUrl: string;
  keys: SigningKeys;
  network: NetworkService;
  idempotency: IdempotencyService;
  vouchers: VouchersService;
  refunds: RefundsService;
  vault: KeyVault;
  devices: DevicesService;
  collections: CollectionsService;
  shifts: ShiftsService;
  review: ReviewService;
  feed: FeedService;
  ledger: LedgerService;
  webhooks: WebhooksService;
  events: EventsService;
  /** The built-in test till behind the test helpers. */
  testTills: TestTills;
  /** The 30-day deletion of test-mode data (run by the worker). */
  testData: TestData;
  /** The store directory. */
  stores: StoresService;
  /** Push notifications to shoppers' phones. */
  push: PushService;
  /** The webhook target rules, which the outbox worker applies at every delivery too. */
  webhookRules: WebhookRules;
  /** Console users, sign-in, sessions and the audit log. */
  console: ConsoleService;
  /** The operator's overview of today. */
  overview: OverviewService;
}

export async function createServices(database: Database, options: ContextOptions): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const vault = await KeyVault.create(options.signingKeySecret);
  const keys = new SigningKeys(database.db, vault, clock);
  const publicUrl = normalizePublicUrl(options.publicUrl);
  const production = options.production ?? false;
  const webhookRules: WebhookRules = { production, targets: options.webhookTargets ?? (production ? 'public' : 'public-and-loopback'), lookup: options.webhookLookup };
  const vouchers = new VouchersService(database.db, keys, clock, publicUrl, (id) => merchantName(database.db, id));
  const refunds = new RefundsService(database.db, keys, clock, publicUrl, (id) => merchantName(database.db, id));
  const collections = new CollectionsService(database.db, keys, clock, (row, merchant) => vouchers.toJson(row, merchant, clock.now()), refunds);
  const review = new ReviewService(database.db, clock, keys, collections);
  const testTills = new TestTills(database.db, clock, keys, collections, refunds, vouchers);
  return {
    database,
    clock,
    publicUrl,
    vault,
    keys,
    network: new NetworkService(database.db, clock),
    idempotency: new IdempotencyService(database.db, clock),
    vouchers,
    devices: new DevicesService(database.db, clock, keys),
    refunds,
    shifts: new ShiftsService(database.db),
    collections,
    review,
    feed: new FeedService(database.db, keys, clock, (deviceId) => review.recentFor(deviceId)),
    ledger: new LedgerService(database.db, clock),
    webhooks: new WebhooksService(database.db, vault, clock, webhookRules),
    events: new EventsService(database.db, clock),
    testTills,
    testData: new TestData(database.db, clock),
    stores: new StoresService(database.db, clock),
    push: new PushService(database.db, clock, vault, keys, webhookRules, publicUrl),
    webhookRules,
    overview: new OverviewService(database.db, clock, review),
    console: new ConsoleService(database.db, clock, publicUrl, options.mailer ?? new UnconfiguredMailer(), options.console),
  };
}
