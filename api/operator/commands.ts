/**
 * Operator commands, independent of how they arrive (the CLI opening the database itself, or the
 * CLI talking to a running server over its admin socket). Each returns one JSON-able object and a
 * human rendering of it.
 */
import { parseArgs } from 'node:util';
import { CounterpayError, ValidationError } from '../errors.ts';
import type { Services } from '../context.ts';
import { describeForLog } from '../http/problem.ts';

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

const escapeCc = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Writes control characters (Unicode Cc: C0, DEL, C1, such as the ESC of an ANSI sequence) as
 * `\u001b`-style escapes, so that text from the data cannot drive the operator's terminal.
 * `layout` keeps newlines, tabs and CRLF line ends, which the CLI's own output is laid out with;
 * a lone carriage return (which overwrites a line) is escaped all the same.
 */
export function escapeControlCharacters(text: string, keep: 'layout' | 'nothing' = 'nothing'): string {
  return text.replace(keep === 'layout' ? /(?!\r\n|\n|\t)\p{Cc}/gu : /\p{Cc}/gu, escapeCc);
}

/** Rows as aligned columns; cells are escaped before they are measured, so a column stays straight and a row one line. */
const table = (rows: Array<Record<string, unknown>>, columns: string[]) => {
  if (rows.length === 0) return '(none)';
  const cellsOf = (r: Record<string, unknown>) => columns.map((c) => escapeControlCharacters(String(r[c] ?? '')));
  const body = rows.map(cellsOf);
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...body.map(line)].join('\n');
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

type Handler = (services: Services, args: string[]) => Promise<CommandResult>;

/** Every command run by runCommand, keyed by the words that name it (`settle`, `merchant create`). */
const COMMANDS: Record<string, Handler> = {
  'merchant create': async (services, rest) => {
    const created = (await services.network.createMerchant(option(rest, 'name')!))!;
    return { json: { ...created }, text: `Created merchant ${created.id} (${created.name}).\nAPI key (shown only now; store it safely): ${created.api_key}` };
  },
  'merchant new-key': async (services, rest) => {
    const merchantId = options(rest, [], 1).positionals[0]!;
    const created = await services.network.newApiKey(merchantId);
    return { json: { ...created }, text: `New API key for merchant ${created.id} (${created.name}); the old key no longer works.\nAPI key (shown only now; store it safely): ${created.api_key}` };
  },
  'merchant list': async (services, rest) => {
    options(rest, []);
    const data = await services.network.listMerchants();
    return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'created_at']) };
  },
  'store create': async (services, rest) => {
    const { values } = options(rest, ['name', 'currency']);
    if (!values.name) throw new UsageError('missing --name');
    const created = (await services.network.createStore(values.name, undefined, values.currency))!;
    return { json: { ...created }, text: `Created store ${created.id} (${created.name}, ${created.currency}).` };
  },
  'store set-limits': async (services, rest) => {
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
  },
  'device enroll-code': async (services, rest) => {
    const created = await services.devices.createEnrollmentCode(option(rest, 'store')!);
    return { json: created, text: `Enrolment code for ${created.store.name} (${created.store.id}): ${created.code}\nType it on the till at /cashier before ${created.expires_at}. It works once.` };
  },
  'device list': async (services, rest) => {
    options(rest, []);
    const data = await services.devices.list();
    return { json: { object: 'list', data }, text: table(data.map((d) => ({ ...d, flags: d.flags.join('; ') || 'ok' })), ['id', 'store_id', 'name', 'status', 'last_seen_at', 'collections', 'flags']) };
  },
  'device revoke': async (services, rest) => {
    const { positionals } = options(rest, [], 1);
    const result = await services.devices.revoke(positionals[0]!);
    return { json: result, text: `Till ${result.id} is revoked: its later collections are rejected and flagged; nothing it sent before is lost.` };
  },
  'store list': async (services, rest) => {
    options(rest, []);
    const data = await services.network.listStores();
    return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'currency', 'created_at']) };
  },
  'merchant set-fees': async (services, rest) => {
    const { values, positionals } = options(rest, ['basis-points', 'fixed'], 1);
    const result = await services.network.setFees(positionals[0]!, wholeNumber(values['basis-points'], 'basis-points'), wholeNumber(values.fixed, 'fixed'));
    return { json: result, text: `Merchant ${result.id} pays ${result.fee_basis_points} bp + ${result.fee_fixed} minor units per paid voucher.` };
  },
  'merchant set-notify': async (services, rest) => {
    const { values, positionals } = options(rest, ['channels'], 1);
    if (values.channels === undefined) throw new UsageError('missing --channels (email, sms, email,sms or none)');
    const channels = values.channels === 'none' ? [] : values.channels.split(',').map((c) => c.trim());
    const result = await services.network.setDefaultNotify(positionals[0]!, channels);
    return { json: result, text: `Merchant ${result.id} sends vouchers by ${result.default_notify.join(' and ') || 'no channel'} unless a request says otherwise.` };
  },
  'store set-commission': async (services, rest) => {
    const { values, positionals } = options(rest, ['basis-points'], 1);
    const bp = wholeNumber(values['basis-points'], 'basis-points');
    if (bp === undefined) throw new UsageError('missing --basis-points');
    const result = await services.network.setCommission(positionals[0]!, bp);
    return { json: result, text: `Store ${result.id} earns ${result.commission_basis_points} bp of each paid voucher.` };
  },
  settle: async (services, rest) => {
    const run = await services.ledger.settle(option(rest, 'date')!);
    const lines = run.statements.map((st) => `  ${st.id}  ${st.party.kind} ${st.party.id}  ${st.amount} ${st.currency} ${st.meaning} (${st.transactions} transactions)`);
    return { json: run, text: `${run.created ? 'Settled' : 'Already settled'} ${run.business_date}: ${run.statements.length} statement(s)\n${lines.join('\n')}` };
  },
  'statement show': async (services, rest) => {
    const { values, positionals } = parseArgs({ args: rest, options: { csv: { type: 'boolean' } }, strict: true, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('give one statement id');
    if (values.csv) {
      const csv = await services.ledger.statementCsv(positionals[0]!);
      return { json: { id: positionals[0], csv }, text: csv.trimEnd() };
    }
    const st = await services.ledger.statement(positionals[0]!);
    return { json: st, text: `${st.id} ${st.party.kind} ${st.party.id} ${st.business_date}: ${st.amount} ${st.currency} ${st.meaning}\n` + table(st.lines as never, ['transaction_id', 'kind', 'collection_id', 'voucher_id', 'gross', 'fee', 'commission', 'net']) };
  },
  'refund pay': async (services, rest) => {
    const result = await services.ledger.refundPaid(option(rest, 'collection')!);
    return { json: result, text: `Recorded: the refund of ${result.amount} ${result.currency} for collection ${result.collection_id} was paid to the shopper.` };
  },
  'remittance record': async (services, rest) => {
    const { values } = options(rest, ['store', 'amount', 'currency', 'reference']);
    if (!values.store || !values.amount || !values.currency) throw new UsageError('give --store, --amount and --currency');
    const result = await services.ledger.remittance(values.store, wholeNumber(values.amount, 'amount')!, values.currency, values.reference);
    return { json: result, text: `Recorded a remittance of ${result.amount} ${result.currency} from store ${result.store_id}.` };
  },
  'payout record': async (services, rest) => {
    const { values } = options(rest, ['merchant', 'amount', 'currency', 'reference']);
    if (!values.merchant || !values.amount || !values.currency) throw new UsageError('give --merchant, --amount and --currency');
    const result = await services.ledger.payout(values.merchant, wholeNumber(values.amount, 'amount')!, values.currency, values.reference);
    return { json: result, text: `Recorded a payout of ${result.amount} ${result.currency} to merchant ${result.merchant_id}.` };
  },
  'ledger balances': async (services, rest) => {
    options(rest, []);
    const result = await services.ledger.balances();
    return { json: result, text: table(result.data, ['account', 'currency', 'balance']) };
  },
  'webhook create': async (services, rest) => {
    const { values } = options(rest, ['merchant', 'url', 'events']);
    if (!values.merchant || !values.url || !values.events) throw new UsageError('give --merchant, --url and --events');
    const result = await services.webhooks.create(values.merchant, { url: values.url, events: values.events.split(',').map((e) => e.trim()).filter(Boolean) });
    return { json: result, text: `Endpoint ${result.id} receives ${result.events.join(', ')} at ${result.url}.\nSigning secret (shown only now): ${result.secret}` };
  },
  'webhook list': async (services, rest) => {
    const merchant = option(rest, 'merchant')!;
    const result = await services.webhooks.list(merchant);
    return { json: result, text: table(result.data.map((e) => ({ ...e, events: e.events.join(',') })), ['id', 'status', 'url', 'events']) };
  },
  'keys list': async (services, rest) => {
    options(rest, []);
    const data = await services.keys.list();
    return { json: { object: 'list', data }, text: table(data as never, ['kid', 'state', 'signs_from', 'signs_until', 'verify_until']) };
  },
  'keys rotate': async (services, rest) => {
    options(rest, []);
    const result = await services.keys.rotate();
    return {
      json: { ...result },
      text: `Key ${result.current.kid} now signs new vouchers.` + (result.retired ? ` Key ${result.retired.kid} is retired and verifies its tokens until ${result.retired.verify_until}.` : ''),
    };
  },
  'keys withdraw': async (services, rest) => {
    const kid = Number(option(rest, 'kid'));
    if (!Number.isInteger(kid) || kid < 1) throw new ValidationError('--kid must be a key id (a positive whole number)', [{ field: 'kid', message: 'a positive whole number' }]);
    const result = await services.keys.withdraw(kid);
    return { json: { ...result }, text: `Key ${kid} is withdrawn: its tokens no longer verify. Key ${result.current.kid} signs new vouchers.` };
  },
};

/**
 * Commands that run in the CLI's own process until stopped (cli.ts runs them), never through a
 * server's admin socket.
 */
export const OWN_PROCESS_COMMANDS: readonly string[] = ['worker'];

/** The name of every command, as README's CLI table and USAGE write it. */
export const COMMAND_NAMES: readonly string[] = [...Object.keys(COMMANDS), ...OWN_PROCESS_COMMANDS];

const MAX_NAME_WORDS = Math.max(...COMMAND_NAMES.map((name) => name.split(' ').length));

/**
 * Splits argv into a command's name and its arguments. The name is the longest run of leading
 * words (none starting with `-`) that names a command, so `settle --date D` is `settle` with
 * `--date D`, and `statement show ID` is `statement show` with `ID`.
 */
export function resolveCommand(argv: string[]): { name: string; args: string[] } {
  const words: string[] = [];
  for (const arg of argv.slice(0, MAX_NAME_WORDS)) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    if (COMMAND_NAMES.includes(name)) return { name, args: argv.slice(n) };
  }
  if (words.length === 0) throw new UsageError(argv.length ? `no command given before ${argv[0]}` : 'no command given');
  const verbs = COMMAND_NAMES.filter((name) => name.startsWith(`${words[0]} `)).map((name) => name.slice(words[0]!.length + 1));
  if (verbs.length > 0 && words.length === 1) throw new UsageError(`${words[0]} needs one of: ${verbs.join(', ')}`);
  throw new UsageError(`unknown command: ${words.join(' ')}${verbs.length > 0 ? ` (${words[0]} takes ${verbs.join(', ')})` : ''}`);
}

export async function runCommand(services: Services, argv: string[]): Promise<CommandResult> {
  try {
    const { name, args } = resolveCommand(argv);
    const handler = COMMANDS[name];
    if (!handler) throw new UsageError(`${name} runs in a process of its own: start it with \`counterpay ${name}\``);
    return await handler(services, args);
  } catch (err) {
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(err.message);
    throw err;
  }
}

/** A failure as the CLI reports it, whichever side ran the command. */
export function describeFailure(err: unknown): { code: string; message: string; usage: boolean } {
  if (err instanceof UsageError) return { code: 'usage', message: err.message, usage: true };
  if (err instanceof CounterpayError) return { code: err.code, message: err.message, usage: false };
  // An unexpected error's message may carry a failed query's SQL and parameters: never print those.
  return { code: 'internal', message: describeForLog(err), usage: false };
}
