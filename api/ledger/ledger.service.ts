/**
 * Money after the till: store remittances, merchant payouts, balances, and the daily
 * settlement statements. Totals are always sums of postings (docs/architecture.md §2 "money balances").
 */
import type { Settlement, SettlementList, SettlementWithLines, StatementLine } from '../../core/contract/settlements.ts';
import { exactAmount } from './exact-amount.ts';
import { businessDayStart } from './business-date.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { sqlState, UNIQUE_VIOLATION } from '../db/sql-state.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import { isCurrency, toDecimalString } from '../../core/money/money.ts';
import { Account, payoutPostings, remittancePostings } from '../../core/ledger/ledger-rules.ts';
import { ledgerRepository, type StatementRow } from './ledger.repository.ts';
import { recordEvent } from '../outbox/events.ts';

type Party = 'store' | 'merchant';

function positiveAmount(amount: number, currency: string) {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new ValidationError(`amount must be a positive whole number of minor units, got ${amount}`, [{ field: 'amount', message: 'a positive whole number' }]);
  if (!isCurrency(currency)) throw new ValidationError(`unknown currency ${JSON.stringify(currency)}`, [{ field: 'currency', message: 'an ISO 4217 code such as EUR' }]);
}

export class LedgerService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async remittance(storeId: string, amount: number, currency: string, reference?: string) {
    positiveAmount(amount, currency);
    if (!(await ledgerRepository.storeExists(this.db, storeId))) throw new NotFoundError('store', storeId);
    const id = await this.db.transaction((tx) =>
      ledgerRepository.post(
        tx,
        { kind: 'remittance', livemode: true, storeId, currency, memo: `remittance from store ${storeId}${reference ? ` (${reference})` : ''}`, createdAt: this.clock.now() },
        remittancePostings({ amount, currency, storeId }),
      ),
    );
    return { object: 'ledger_transaction', id, kind: 'remittance', store_id: storeId, amount, currency };
  }

  async payout(merchantId: string, amount: number, currency: string, reference?: string) {
    positiveAmount(amount, currency);
    if (!(await ledgerRepository.merchantExists(this.db, merchantId))) throw new NotFoundError('merchant', merchantId);
    const id = await this.db.transaction((tx) =>
      ledgerRepository.post(
        tx,
        { kind: 'payout', livemode: true, merchantId, currency, memo: `payout to merchant ${merchantId}${reference ? ` (${reference})` : ''}`, createdAt: this.clock.now() },
        payoutPostings({ amount, currency, merchantId }),
      ),
    );
    return { object: 'ledger_transaction', id, kind: 'payout', merchant_id: merchantId, amount, currency };
  }

  async balances() {
    return { object: 'list' as const, data: await ledgerRepository.balances(this.db) };
  }

  /**
   * The settlement for one business day (UTC). Each statement covers every ledger transaction of
   * its party posted before the day ended and not yet in a statement, so a collection that reached
   * the server late (an offline till) lands in the next run's statement: never lost, never twice
   * (statement_transactions is unique per transaction and side). A second run for the same day
   * returns the first run's statements.
   */
  async settle(date: string) {
    const start = businessDayStart(date);
    const now = this.clock.now();
    const cutoff = new Date(start.getTime() + 24 * 3600_000);
    if (cutoff > now) {
      throw new ValidationError(`the business day ${date} is not over yet (it ends at ${cutoff.toISOString()}); settle a past day`, [
        { field: 'date', message: 'in the future or today' },
      ]);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await this.db.transaction(async (tx) => {
          if (!(await ledgerRepository.claimRun(tx, { businessDate: date, cutoff, createdAt: now }))) return false;
          for (const party of ['store', 'merchant'] as const) {
            const open = await ledgerRepository.unstated(tx, party, cutoff);
            const groups = new Map<string, { partyId: string; currency: string; ids: string[] }>();
            for (const t of open) {
              const key = `${t.partyId}|${t.currency}`;
              if (!groups.has(key)) groups.set(key, { partyId: t.partyId!, currency: t.currency, ids: [] });
              groups.get(key)!.ids.push(t.id);
            }
            for (const g of groups.values()) {
              const id = newId('stm');
              await ledgerRepository.insertStatement(tx, { id, businessDate: date, partyKind: party, partyId: g.partyId, currency: g.currency, createdAt: now }, g.ids);
              if (party === 'merchant') {
                await recordEvent(tx, {
                  merchantId: g.partyId,
                  type: 'settlement.created',
                  data: { object: { object: 'settlement', id, business_date: date, currency: g.currency } },
                  now,
                });
              }
            }
          }
          return true;
        });
        const list = await ledgerRepository.statementsOn(this.db, date);
        return { object: 'settlement_run' as const, business_date: date, created, statements: await Promise.all(list.map((s) => this.summary(s))) };
      } catch (err) {
        // Another day's run claimed some of the same transactions first: run again without them.
        if (sqlState(err) === UNIQUE_VIOLATION && attempt < 3) continue;
        throw err;
      }
    }
  }

  /** A statement's total, derived from the postings of its transactions on the party's account. */
  private async summary(s: StatementRow): Promise<Settlement> {
    const account = s.partyKind === 'store' ? Account.store(s.partyId) : Account.merchant(s.partyId);
    const row = await ledgerRepository.statementTotal(this.db, s.id, account);
    const total = BigInt(String(row?.total ?? '0'));
    return {
      id: s.id,
      object: 'statement',
      business_date: s.businessDate,
      party: { kind: s.partyKind, id: s.partyId },
      currency: s.currency,
      transactions: row?.count ?? 0,
      // A store remits what its account says it owes; a merchant is paid what its account is owed.
      amount: exactAmount((s.partyKind === 'store' ? total : -total).toString()),
      meaning: s.partyKind === 'store' ? 'to remit to the operator' : 'to be paid to the merchant',
      created_at: s.createdAt.toISOString(),
    };
  }

  async statement(id: string, owner?: { kind: Party; id: string }): Promise<SettlementWithLines> {
    const s = await ledgerRepository.statement(this.db, id);
    if (!s || (owner && (s.partyKind !== owner.kind || s.partyId !== owner.id))) throw new NotFoundError('settlement', id);
    return { ...(await this.summary(s)), lines: await this.lines(s) };
  }

  async statementsFor(owner: { kind: Party; id: string }): Promise<SettlementList> {
    const list = await ledgerRepository.statementsOf(this.db, owner);
    return { object: 'list', data: await Promise.all(list.map((s) => this.summary(s))) };
  }

  /** Every line traceable to its collection or refund: gross, fee, commission and the party's net. */
  private async lines(s: StatementRow): Promise<StatementLine[]> {
    const account = s.partyKind === 'store' ? Account.store(s.partyId) : Account.merchant(s.partyId);
    const txs = await ledgerRepository.statementTransactions(this.db, s.id);
    const postings = await ledgerRepository.postingsOf(
      this.db,
      txs.map((x) => x.t.id),
    );
    return txs.map(({ t, voucherId, collectionAmount, collectedAt, orderRef }) => {
      const mine = postings.filter((p) => p.transactionId === t.id);
      const sum = (acc: string) => mine.filter((p) => p.account === acc).reduce((a, p) => a + p.amount, 0);
      const net = sum(account);
      return {
        transaction_id: t.id,
        kind: t.kind,
        collection_id: t.collectionId,
        refund_id: t.refundId,
        voucher_id: voucherId,
        order_ref: orderRef,
        collected_at: collectedAt?.toISOString() ?? null,
        posted_at: t.createdAt.toISOString(),
        gross: collectionAmount ?? Math.abs(net),
        fee: -sum(Account.revenue),
        commission: sum(Account.commission),
        net: s.partyKind === 'store' ? net : -net,
        memo: t.memo,
      };
    });
  }

  async statementCsv(id: string, owner?: { kind: Party; id: string }): Promise<string> {
    const st = await this.statement(id, owner);
    const cell = (v: unknown) => {
      let text = v === null || v === undefined ? '' : String(v);
      // OWASP CSV injection: a cell a spreadsheet would run as a formula is prefixed with a quote.
      // Our own negative amounts ("-12.50") are numbers, not formulas, and stay as they are.
      if (/^[=+\-@\t\r]/.test(text) && !/^-\d+(\.\d+)?$/.test(text)) text = `'${text}`;
      return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const money = (n: number | string) => toDecimalString(n, st.currency);
    const header = [
      'transaction_id',
      'kind',
      'collection_id',
      'refund_id',
      'voucher_id',
      'order_ref',
      'collected_at',
      'posted_at',
      'currency',
      'gross',
      'fee',
      'commission',
      'net',
      'memo',
    ];
    const rows = st.lines.map((l) => [
      l.transaction_id,
      l.kind,
      l.collection_id,
      l.refund_id,
      l.voucher_id,
      l.order_ref,
      l.collected_at,
      l.posted_at,
      st.currency,
      money(l.gross),
      money(l.fee),
      money(l.commission),
      money(l.net),
      l.memo,
    ]);
    const total = ['total', '', '', '', '', '', '', '', st.currency, '', '', '', money(st.amount), st.meaning];
    return `${[header, ...rows, total].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
  }
}
