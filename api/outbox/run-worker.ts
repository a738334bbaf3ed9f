/** Builds the outbox worker with the real message delivery, for the server and `counterpay worker`. */
import type { Env } from '../config/env.ts';
import type { Services } from '../context.ts';
import { createDelivery } from '../messages/config.ts';
import { voucherMessageSender } from './message-sender.ts';
import { OutboxWorker } from './worker.ts';

export function createWorker(services: Services, env: Env, log: (line: string) => void) {
  const delivery = createDelivery({ ...process.env, PUBLIC_URL: services.publicUrl }, log);
  const sender = voucherMessageSender(services.database.db, services.vouchers, services.refunds, services.clock, delivery);
  const worker = new OutboxWorker(services.database.db, services.vault, services.clock, sender, {
    leaseMs: env.OUTBOX_LEASE_MS,
    log,
    targets: services.webhookRules.targets,
    lookup: services.webhookRules.lookup,
    push: services.push,
    expireAlso: [() => services.refunds.expireDue(), () => services.testData.sweepIfDue(), () => services.push.queueExpiring(), () => services.console.sweepIfDue()],
  });
  return {
    worker,
    start: () => worker.start(env.WORKER_INTERVAL_MS),
    stop: async () => {
      await worker.stop();
      delivery.close();
    },
  };
}
