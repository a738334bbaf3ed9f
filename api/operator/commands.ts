/**
 * Operator commands, independent of how they arrive (the CLI opening the database itself, or the
 * CLI talking to a running server over its admin socket). Each returns one JSON-able object and a
 * human rendering of it.
 */
import { parseArgs } from 'node:util';
import { CounterpayError, ValidationError } from '../errors.ts';
import type { Services } from '../context.ts';

export interface CommandResult {
  json: Record<string, unknown>;
  text: string;
}

export class UsageError extends Error {}

export const USAGE = `Usage: counterpay <command> [options] [--json]

  merchant create --name NAME   create a merchant and show its API key (once)
  merchant list                 list merchants
  merchant new-key MERCHANT     a new API key for the merchant (shown once); the old key stops working
  store create --name NAME [--currency EUR]
                                create a store (its tills take one currency)
  store list                    list stores
  store set-limits STORE [--currency C] [--max-voucher N] [--max-total N] [--max-count N] [--max-offline-hours H]
                                change the offline lease of a store's tills (amounts in minor units)
  device enroll-code --store STORE
                                a one-time code (24 h) that enrols a till in the store
  device list                   tills with their journal health (missing records, forks, chain breaks)
  device revoke DEVICE          stop a lost till: its later collections are rejected and flagged
  merchant set-fees MERCHANT --basis-points N [--fixed N]
                                the operator's fee on each paid voucher (250 bp = 2.5 %, rounded half up)
  merchant set-notify MERCHANT --channels email,sms|none
                                how vouchers reach shoppers when a request does not say (notify)
  store set-commission STORE --basis-points N
                                the store's commission on each paid voucher
  settle --date YYYY-MM-DD      settlement statements for a past business day (UTC); running it again changes nothing
  statement show ID [--csv]     one statement, every line traced to its collection
  refund pay --collection ID    the store paid a duplicate/late/mismatch collection back to the shopper
  remittance record --store S --amount N --currency C [--reference R]
                                money received from a store
  payout record --merchant M --amount N --currency C [--reference R]
                                money paid to a merchant
  ledger balances               every account's balance, summed from its postings
  webhook create --merchant M --url URL --events a,b
                                register a merchant's webhook endpoint (the secret is shown once)
  webhook list --merchant M     a merchant's webhook endpoints
  worker                        run an outbox worker (webhooks, e-mail, SMS, expiry) until stopped
  keys list                     list the token-signing keys
  keys rotate                   start a new signing key; older tokens keep verifying until they expire
  keys withdraw --kid N         withdraw a compromised key: its tokens stop verifying

Environment: DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite folder, default ./data), as for the server.
With PGlite, while the server runs the command is sent to it over DATA_DIR/counterpay.sock.`;

const table = (rows: Array<Record<string, unknown>>, columns: string[]) => {
  if (rows.length === 0) return '(none)';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))].join('\n');
};

function options(args: string[], names: string[], positionals = 0): { values: Record<string, string | undefined>; positionals: string[] } {
  const parsed = parseArgs({ args, options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])), strict: true, allowPositionals: positionals > 0 });
  if (parsed.positionals.length !== positionals) throw new UsageError(positionals ? `expected ${positionals} argument(s), got ${parsed.positionals.length}` : 'unexpected argument');
  return { values: parsed.values as Record<string, string | undefined>, positionals: parsed.positionals };
}

function option(args: string[], name: string, required = true): string | undefined {
  const value = options(args, [name]).values[name];
  if (required && value === undefined) throw new UsageError(`missing --${name}`);
  return value;
}

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new ValidationError(`--${flag} must be a whole number, got ${JSON.stringify(value)}`, [{ field: flag, message: 'a whole number' }]);
  return Number(value);
}

export async function runCommand(services: Services, argv: string[]): Promise<CommandResult> {
  const [noun, verb, ...rest] = argv;
  const key = `${noun ?? ''} ${verb ?? ''}`.trim();
  try {
    switch (key) {
      case 'merchant create': {
        const created = (await services.network.createMerchant(option(rest, 'name')!))!;
        return { json: { ...created }, text: `Created merchant ${created.id} (${created.name}).\nAPI key (shown only now; store it safely): ${created.api_key}` };
      }
      case 'merchant new-key': {
        const merchantId = options(rest, [], 1).positionals[0]!;
        const created = await services.network.newApiKey(merchantId);
        return { json: { ...created }, text: `New API key for merchant ${created.id} (${created.name}); the old key no longer works.\nAPI key (shown only now; store it safely): ${created.api_key}` };
      }
      case 'merchant list': {
        options(rest, []);
        const data = await services.network.listMerchants();
        return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'created_at']) };
      }
      case 'store create': {
        const { values } = options(rest, ['name', 'currency']);
        if (!values.name) throw new UsageError('missing --name');
        const created = (await services.network.createStore(values.name, undefined, values.currency))!;
        return { json: { ...created }, text: `Created store ${created.id} (${created.name}, ${created.currency}).` };
      }
      case 'store set-limits': {
        const { values, positionals } = options(rest, ['currency', 'max-voucher', 'max-total', 'max-count', 'max-offline-hours'], 1);
        const hours = wholeNumber(values['max-offline-hours'], 'max-offline-hours');
        const result = await services.devices.setLimits(positionals[0]!, {
          currency: values.currency,
          maxVoucherAmount: wholeNumber(values['max-voucher'], 'max-voucher'),
          maxUnsyncedTotal: wholeNumber(values['max-total'], 'max-total'),
          maxUnsyncedCount: wholeNumber(values['max-count'], 'max-count'),
          maxOfflineSeconds: hours === undefined ? undefined : hours * 3600,
        });
        const l = result.lease;
        return { json: result, text: `Store ${result.store.id} tills take ${l.currency}; offline: ≤ ${l.max_voucher_amount} per voucher, ≤ ${l.max_unsynced_total} and ≤ ${l.max_unsynced_count} collections unsynced, ≤ ${l.max_offline_seconds / 3600} h since the last sync (from their next sync).` };
      }
      case 'device enroll-code': {
        const created = await services.devices.createEnrollmentCode(option(rest, 'store')!);
        return { json: created, text: `Enrolment code for ${created.store.name} (${created.store.id}): ${created.code}\nType it on the till at /cashier before ${created.expires_at}. It works once.` };
      }
      case 'device list': {
        options(rest, []);
        const data = await services.devices.list();
        return { json: { object: 'list', data }, text: table(data.map((d) => ({ ...d, flags: d.flags.join('; ') || 'ok' })), ['id', 'store_id', 'name', 'status', 'last_seen_at', 'collections', 'flags']) };
      }
      case 'device revoke': {
        const { positionals } = options(rest, [], 1);
        const result = await services.devices.revoke(positionals[0]!);
        return { json: result, text: `Till ${result.id} is revoked: its later collections are rejected and flagged; nothing it sent before is lost.` };
      }
      case 'store list': {
        options(rest, []);
        const data = await services.network.listStores();
        return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'currency', 'created_at']) };
      }
      case 'merchant set-fees': {
        const { values, positionals } = options(rest, ['basis-points', 'fixed'], 1);
        const result = await services.network.setFees(positionals[0]!, wholeNumber(values['basis-points'], 'basis-points'), wholeNumber(values.fixed, 'fixed'));
        return { json: result, text: `Merchant ${result.id} pays ${result.fee_basis_points} bp + ${result.fee_fixed} minor units per paid voucher.` };
      }
      case 'merchant set-notify': {
        const { values, positionals } = options(rest, ['channels'], 1);
        if (values.channels === undefined) throw new UsageError('missing --channels (email, sms, email,sms or none)');
        const channels = values.channels === 'none' ? [] : values.channels.split(',').map((c) => c.trim());
        const result = await services.network.setDefaultNotify(positionals[0]!, channels);
        return { json: result, text: `Merchant ${result.id} sends vouchers by ${result.default_notify.join(' and ') || 'no channel'} unless a request says otherwise.` };
      }
      case 'store set-commission': {
        const { values, positionals } = options(rest, ['basis-points'], 1);
        const bp = wholeNumber(values['basis-points'], 'basis-points');
        if (bp === undefined) throw new UsageError('missing --basis-points');
        const result = await services.network.setCommission(positionals[0]!, bp);
        return { json: result, text: `Store ${result.id} earns ${result.commission_basis_points} bp of each paid voucher.` };
      }
      case 'settle': {
        const run = await services.ledger.settle(option(rest, 'date')!);
        const lines = run.statements.map((st) => `  ${st.id}  ${st.party.kind} ${st.party.id}  ${st.amount} ${st.currency} ${st.meaning} (${st.transactions} transactions)`);
        return { json: run, text: `${run.created ? 'Settled' : 'Already settled'} ${run.business_date}: ${run.statements.length} statement(s)\n${lines.join('\n')}` };
      }
      case 'statement show': {
        const { values, positionals } = parseArgs({ args: rest, options: { csv: { type: 'boolean' } }, strict: true, allowPositionals: true });
        if (positionals.length !== 1) throw new UsageError('give one statement id');
        if (values.csv) {
          const csv = await services.ledger.statementCsv(positionals[0]!);
          return { json: { id: positionals[0], csv }, text: csv.trimEnd() };
        }
        const st = await services.ledger.statement(positionals[0]!);
        return { json: st, text: `${st.id} ${st.party.kind} ${st.party.id} ${st.business_date}: ${st.amount} ${st.currency} ${st.meaning}\n` + table(st.lines as never, ['transaction_id', 'kind', 'collection_id', 'voucher_id', 'gross', 'fee', 'commission', 'net']) };
      }
      case 'refund pay': {
        const result = await services.ledger.refundPaid(option(rest, 'collection')!);
        return { json: result, text: `Recorded: the refund of ${result.amount} ${result.currency} for collection ${result.collection_id} was paid to the shopper.` };
      }
      case 'remittance record': {
        const { values } = options(rest, ['store', 'amount', 'currency', 'reference']);
        if (!values.store || !values.amount || !values.currency) throw new UsageError('give --store, --amount and --currency');
        const result = await services.ledger.remittance(values.store, wholeNumber(values.amount, 'amount')!, values.currency, values.reference);
        return { json: result, text: `Recorded a remittance of ${result.amount} ${result.currency} from store ${result.store_id}.` };
      }
      case 'payout record': {
        const { values } = options(rest, ['merchant', 'amount', 'currency', 'reference']);
        if (!values.merchant || !values.amount || !values.currency) throw new UsageError('give --merchant, --amount and --currency');
        const result = await services.ledger.payout(values.merchant, wholeNumber(values.amount, 'amount')!, values.currency, values.reference);
        return { json: result, text: `Recorded a payout of ${result.amount} ${result.currency} to merchant ${result.merchant_id}.` };
      }
      case 'ledger balances': {
        options(rest, []);
        const result = await services.ledger.balances();
        return { json: result, text: table(result.data, ['account', 'currency', 'balance']) };
      }
      case 'webhook create': {
        const { values } = options(rest, ['merchant', 'url', 'events']);
        if (!values.merchant || !values.url || !values.events) throw new UsageError('give --merchant, --url and --events');
        const result = await services.webhooks.create(values.merchant, { url: values.url, events: values.events.split(',').map((e) => e.trim()).filter(Boolean) });
        return { json: result, text: `Endpoint ${result.id} receives ${result.events.join(', ')} at ${result.url}.\nSigning secret (shown only now): ${result.secret}` };
      }
      case 'webhook list': {
        const merchant = option(rest, 'merchant')!;
        const result = await services.webhooks.list(merchant);
        return { json: result, text: table(result.data.map((e) => ({ ...e, events: e.events.join(',') })), ['id', 'status', 'url', 'events']) };
      }
      case 'keys list': {
        const data = await services.keys.list();
        return { json: { object: 'list', data }, text: table(data as never, ['kid', 'state', 'signs_from', 'signs_until', 'verify_until']) };
      }
      case 'keys rotate': {
        const result = await services.keys.rotate();
        return {
          json: { ...result },
          text: `Key ${result.current.kid} now signs new vouchers.` + (result.retired ? ` Key ${result.retired.kid} is retired and verifies its tokens until ${result.retired.verify_until}.` : ''),
        };
      }
      case 'keys withdraw': {
        const kid = Number(option(rest, 'kid'));
        if (!Number.isInteger(kid) || kid < 1) throw new ValidationError('--kid must be a key id (a positive whole number)', [{ field: 'kid', message: 'a positive whole number' }]);
        const result = await services.keys.withdraw(kid);
        return { json: { ...result }, text: `Key ${kid} is withdrawn: its tokens no longer verify. Key ${result.current.kid} signs new vouchers.` };
      }
      default:
        throw new UsageError(key ? `unknown command: ${key}` : 'no command given');
    }
  } catch (err) {
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(err.message);
    throw err;
  }
}

/** A failure as the CLI reports it, whichever side ran the command. */
export function describeFailure(err: unknown): { code: string; message: string; usage: boolean } {
  if (err instanceof UsageError) return { code: 'usage', message: err.message, usage: true };
  if (err instanceof CounterpayError) return { code: err.code, message: err.message, usage: false };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err), usage: false };
}
