/**
 * Traffic for a failover drill (test/ha/failover.test.ts, bench/ha/failover.ts): merchants creating
 * vouchers with Idempotency-Keys and tills collecting them, through every API process, each client
 * retrying what failed exactly as a real one does (the same key; the till's unsent records) until it
 * gets an answer. It remembers what was acknowledged, and when each write was sent and answered,
 * so a drill can say how long writes stopped and whether anything acknowledged went missing.
 */
import type { SignedCollection } from '../../core/collections/collection-record.ts';
import type { RunningServer } from './server.ts';
import { serverConnection, TestTill } from './till.ts';

export interface Acknowledged {
  id: string;
  token: string;
  amount: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DrillTraffic {
  readonly vouchers: Acknowledged[] = [];
  /** Every collection a till recorded, and the outcome the server gave it (the first one it answered). */
  readonly collections = new Map<string, { record: SignedCollection; till: TestTill; outcome?: string }>();
  /** Start and end times of each acknowledged write (a voucher created, a batch of collections answered). */
  readonly writes: { sentAt: number; answeredAt: number }[] = [];
  readonly failures = new Map<string, number>();
  private readonly queue: Acknowledged[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private nextOrder = 0;

  private constructor(
    private readonly servers: RunningServer[],
    private readonly apiKey: string,
    readonly tills: TestTill[],
  ) {}

  /** Enrols one till per server (with one enrolment code each) and starts 2 merchants and the tills. */
  static async start(servers: RunningServer[], codes: string[]): Promise<DrillTraffic> {
    const tills = await Promise.all(servers.map((s, i) => TestTill.enrol(serverConnection(s.url), codes[i]!, `Drill till ${i + 1}`)));
    const traffic = new DrillTraffic(servers, servers[0]!.apiKey, tills);
    for (let m = 0; m < 2; m++) traffic.loops.push(traffic.merchant());
    for (const till of tills) traffic.loops.push(traffic.till(till));
    return traffic;
  }

  /** The first write sent at or after `t` that was acknowledged, minus `t`: how long writes stopped. */
  firstWriteAfter(t: number): number | undefined {
    const after = this.writes.filter((w) => w.sentAt >= t).map((w) => w.answeredAt);
    return after.length ? Math.min(...after) - t : undefined;
  }

  async acknowledgedAfter(t: number, count: number, limitMs = 120_000): Promise<void> {
    const started = Date.now();
    while (this.writes.filter((w) => w.sentAt >= t).length < count) {
      if (Date.now() - started > limitMs)
        throw new Error(`fewer than ${count} writes acknowledged within ${limitMs} ms; failures: ${JSON.stringify(Object.fromEntries(this.failures))}`);
      await pause(100);
    }
  }

  /** Stops creating vouchers, then lets the tills send what they still hold until every record has its answer. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private note(what: string): void {
    this.failures.set(what, (this.failures.get(what) ?? 0) + 1);
  }

  private async merchant(): Promise<void> {
    while (this.running) {
      const n = this.nextOrder++;
      const body = JSON.stringify({ order_ref: `DRILL-${n}`, amount: 1000 + n, currency: 'EUR' });
      // The same key until it is answered, each try through the next server.
      for (let attempt = 0; ; attempt++) {
        const server = this.servers[(n + attempt) % this.servers.length]!;
        const sentAt = Date.now();
        try {
          const res = await fetch(`${server.url}/v1/vouchers`, {
            method: 'POST',
            headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `drill-${n}` },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          if (res.status === 201) {
            const v = (await res.json()) as { id: string; token: string; amount: number };
            this.writes.push({ sentAt, answeredAt: Date.now() });
            this.vouchers.push({ id: v.id, token: v.token, amount: v.amount });
            this.queue.push({ id: v.id, token: v.token, amount: v.amount });
            break;
          }
          this.note(`voucher ${res.status}`);
          await res.body?.cancel();
        } catch (err) {
          this.note(`voucher ${(err as Error).name}`);
        }
        await pause(100);
      }
    }
  }

  private async till(till: TestTill): Promise<void> {
    const unsent: SignedCollection[] = [];
    while (this.running || this.queue.length > 0 || unsent.length > 0) {
      const next = this.queue.shift();
      if (next) {
        const record = await till.record(next.token, next.amount);
        this.collections.set(record.id, { record, till });
        unsent.push(record);
      }
      if (unsent.length === 0) {
        await pause(50);
        continue;
      }
      const batch = unsent.slice(0, 20);
      const sentAt = Date.now();
      try {
        const res = await till.send(batch);
        if (res.status === 200) {
          const { data } = (await res.json()) as { data: { id: string; outcome: string }[] };
          this.writes.push({ sentAt, answeredAt: Date.now() });
          for (const o of data) {
            const c = this.collections.get(o.id);
            if (c && c.outcome === undefined) c.outcome = o.outcome;
          }
          unsent.splice(0, batch.length);
          continue;
        }
        this.note(`collections ${res.status}`);
        await res.body?.cancel();
      } catch (err) {
        this.note(`collections ${(err as Error).name}`);
      }
      await pause(100);
    }
  }
}
