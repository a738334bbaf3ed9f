/**
 * A payout is granted at most once under real concurrency (PGlite serialises transactions, so this
 * runs on PostgreSQL): two tills, each through its own API process, ask to pay out the same refund
 * at the same moment, for many refunds; exactly one of each pair is granted.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, startServer } from '../support/server.ts';
import { freshPostgresDatabase, postgresUrl } from '../support/databases.ts';
import { serverConnection, TestTill } from '../support/till.ts';

const cli = (args: string[], env: Record<string, string>) => {
  const r = spawnSync(process.execPath, ['bin/counterpay.js', ...args, '--json'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  return JSON.parse(r.stdout);
};

const REFUNDS = 30;

describe.runIf(postgresUrl)('payouts on PostgreSQL', () => {
  it('grants each refund to exactly one of two tills asking at once through two API processes, and pays it once', async () => {
    const db = await freshPostgresDatabase();
    const env = { DATABASE_URL: db.url };
    const merchant = cli(['merchant', 'create', '--name', 'Race Shop'], env);
    const store = cli(['store', 'create', '--name', 'Race Store'], env);
    const codes = [0, 1].map(() => cli(['device', 'enroll-code', '--store', store.id], env).code);
    const servers = await Promise.all([startServer({ env }), startServer({ env })]);
    try {
      const tills = await Promise.all(codes.map((code, i) => TestTill.enrol(serverConnection(servers[i]!.url), code, `Till ${i + 1}`)));
      const api = (path: string, body?: unknown) =>
        fetch(`${servers[0]!.url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then((r) => r.json());
      const refunds: Array<{ id: string; token: string }> = [];
      for (let i = 0; i < REFUNDS; i++) {
        const voucher = await api('/v1/vouchers', { order_ref: `RACE-${i}`, amount: 1000 + i, currency: 'EUR' });
        expect((await tills[0]!.outcomes([await tills[0]!.record(voucher.token, 1000 + i)]))[0]!.outcome).toBe('accepted');
        refunds.push(await api('/v1/refunds', { voucher_id: voucher.id }));
      }
      let grantedTo = [0, 0];
      for (const refund of refunds) {
        const answers = await Promise.all(tills.map((t) => t.authorize(refund.token)));
        const statuses = answers.map((a) => a.status).sort();
        expect(statuses).toEqual([200, 409]);
        const winner = answers.findIndex((a) => a.status === 200);
        grantedTo = grantedTo.map((n, i) => (i === winner ? n + 1 : n));
        const till = tills[winner]!;
        const [paid] = await till.outcomes([await till.payout(refund.token, await answers[winner]!.json())]);
        expect(paid!.outcome).toBe('accepted');
        // The loser asks again once it is paid: refused for good.
        expect((await tills[1 - winner]!.authorize(refund.token)).status).toBe(409);
      }
      const list = await api(`/v1/refunds?status=paid&limit=100`);
      expect(list.data).toHaveLength(REFUNDS);
      // The ledger paid each refund out once: the shoppers' account is back to zero.
      const balances = cli(['ledger', 'balances'], env);
      expect(balances.data.find((b: { account: string }) => b.account === 'shoppers:refunds')?.balance ?? 0).toBe(0);
      console.log(`payout grants: till 1 won ${grantedTo[0]}, till 2 won ${grantedTo[1]} of ${REFUNDS}`);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.drop();
    }
  }, 180_000);
});
