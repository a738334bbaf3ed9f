/**
 * Operator commands, independent of how they arrive (the CLI opening the database itself, or the
 * CLI talking to a running server over its admin socket). Each returns one JSON-able object and a
 * human rendering of it.
 *
 * COMMANDS is the one description of the commands: the dispatch below, the CLI's usage and
 * README's command table (both rendered by usage.ts; a test fails when README's copy is stale).
 * Flags are the CLI's words: a command maps them to the services' arguments, and says what a
 * flag lacks itself (a UsageError) rather than leaving that to a service.
 */
import { parseArgs } from 'node:util';
import { CounterpayError, UsageError, ValidationError } from '../errors.ts';
import type { Decision } from '../review/review.service.ts';
import type { Services } from '../context.ts';
import { describeForLog } from '../http/problem.ts';

export interface CommandResult {
  json: Record<string, unknown>;
  text: string;
}

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
const table = <R extends object>(rows: readonly R[], columns: ReadonlyArray<keyof R & string>) => {
  if (rows.length === 0) return '(none)';
  const cellsOf = (r: R) => columns.map((c) => escapeControlCharacters(String(r[c] ?? '')));
  const body = rows.map(cellsOf);
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), ...body.map(line)].join('\n');
};

function options(args: string[], names: string[], positionals = 0): { values: Record<string, string | undefined>; positionals: string[] } {
  const parsed = parseArgs({ args, options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])), strict: true, allowPositionals: positionals > 0 });
  if (parsed.positionals.length !== positionals)
    throw new UsageError(positionals ? `expected ${positionals} argument(s), got ${parsed.positionals.length}` : 'unexpected argument');
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

function degrees(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d{1,3}(\.\d+)?$/.test(value))
    throw new ValidationError(`--${flag} must be degrees such as 52.5200, got ${JSON.stringify(value)}`, [{ field: flag, message: 'degrees' }]);
  return Number(value);
}

/** `30m`, `24h`, `7d` or `0`, in milliseconds. */
function duration(value: string, flag: string): number {
  const m = /^([0-9]+)(m|h|d)?$/.exec(value);
  if (!m || (m[2] === undefined && m[1] !== '0'))
    throw new ValidationError(`--${flag} must be minutes, hours or days such as 30m, 24h or 7d (or 0), got ${JSON.stringify(value)}`, [{ field: flag, message: 'a duration' }]);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, '': 0 }[m[2] ?? '']!;
}

type Handler = (services: Services, args: string[]) => Promise<CommandResult>;

/** One operator command: how it is written and what it does (for usage and README), and how it runs. */
export interface Command {
  /** What follows the command's name: its arguments and options, `[optional]`, as the operator types them. */
  args?: string;
  /** What it does, in one line, for the CLI's usage and README's table. `code` in backquotes is for README; usage drops the quotes. */
  does: string;
  /** It only reads: it is not written to the audit log (every other command is, actor `cli`). */
  reads?: true;
  /** Runs it through runCommand; absent for a command that runs in the CLI's own process until stopped (cli.ts runs it, never through a server's admin socket). */
  run?: Handler;
}

/**
 * Every command, keyed by the words that name it (`settle`, `merchant create`), in the order usage
 * and README list them (a command's verbs in the order "merchant needs one of: …" names them).
 */
export const COMMANDS: Readonly<Record<string, Command>> = {
  'user create': {
    args: '--email EMAIL [--operator]',
    does: 'a console user (`--operator`: one who runs the network); they sign in at /console with an e-mail link, then add a passkey',
    run: async (services, rest) => {
      const parsed = parseArgs({ args: rest, options: { email: { type: 'string' }, operator: { type: 'boolean' } }, strict: true });
      if (!parsed.values.email) throw new UsageError('missing --email');
      const { user, created } = await services.console.createUser(parsed.values.email, Boolean(parsed.values.operator));
      return {
        json: { id: user.id, email: user.email, operator: user.operator, created },
        text: `${created ? 'Created' : 'Already there:'} ${user.operator ? 'operator' : 'user'} ${user.email} (${user.id}). Sign in at ${services.publicUrl}/console (a link is e-mailed), or make a link with \`counterpay user sign-in-link --email ${user.email}\`.`,
      };
    },
  },
  'user sign-in-link': {
    args: '--email EMAIL',
    does: 'a sign-in link for the user, printed here (valid 15 minutes, once): for a first sign-in where e-mail is not set up, or recovery',
    run: async (services, rest) => {
      const link = await services.console.signInLinkFor(option(rest, 'email')!);
      return { json: { ...link }, text: `Sign-in link (works once, until ${link.expires_at}):\n  ${link.url}` };
    },
  },
  'user list': {
    reads: true,
    does: 'list console users',
    run: async (services, rest) => {
      options(rest, []);
      const data = await services.console.listUsers();
      return { json: { object: 'list', data }, text: table(data, ['id', 'email', 'operator', 'created_at']) };
    },
  },
  'merchant create': {
    args: '--name NAME',
    does: 'create a merchant; its live and test API keys are shown only here (they are stored hashed)',
    run: async (services, rest) => {
      const created = (await services.network.createMerchant(option(rest, 'name')!))!;
      return {
        json: { ...created },
        text: `Created merchant ${created.id} (${created.name}).\nAPI keys (shown only now; store them safely):\n  live: ${created.api_key}\n  test: ${created.test_api_key}`,
      };
    },
  },
  'merchant new-key': {
    args: 'MERCHANT',
    does: 'a new live and a new test API key for the merchant, shown only here; every other key of the merchant is revoked at once',
    run: async (services, rest) => {
      const merchantId = options(rest, [], 1).positionals[0]!;
      const created = await services.network.newApiKey(merchantId);
      return {
        json: { ...created },
        text: `New API keys for merchant ${created.id} (${created.name}); its other keys no longer work.\nAPI keys (shown only now; store them safely):\n  live: ${created.api_key}\n  test: ${created.test_api_key}`,
      };
    },
  },
  'merchant key create': {
    args: '--merchant MERCHANT [--test] [--read-only]',
    does: 'another API key for the merchant, shown only here; `--test`: a test-mode key (`cpk_test_…`); `--read-only`: it may only read (GET), for reporting tools',
    run: async (services, rest) => {
      const parsed = parseArgs({ args: rest, options: { merchant: { type: 'string' }, test: { type: 'boolean' }, 'read-only': { type: 'boolean' } }, strict: true });
      if (!parsed.values.merchant) throw new UsageError('missing --merchant');
      const created = await services.network.createKey(parsed.values.merchant, parsed.values['read-only'] ? 'read_only' : 'full', parsed.values.test ? 'test' : 'live');
      return {
        json: { ...created },
        text: `Created ${created.access === 'read_only' ? 'read-only ' : ''}${created.mode} API key ${created.id} for merchant ${created.merchant_id}.\nAPI key (shown only now; store it safely): ${created.api_key}`,
      };
    },
  },
  'merchant key list': {
    reads: true,
    args: '--merchant MERCHANT',
    does: "the merchant's API keys, live and test: how each begins and ends, its mode, access, status, when it was created and last used",
    run: async (services, rest) => {
      const data = await services.network.listKeys(option(rest, 'merchant')!);
      return { json: { object: 'list', data }, text: table(data, ['id', 'key', 'mode', 'access', 'status', 'created_at', 'last_used_at', 'expires_at']) };
    },
  },
  'merchant key roll': {
    args: 'KEY [--overlap DURATION]',
    does: 'a new key in place of KEY, shown only here; KEY keeps working for the overlap (`24h` by default, at most `7d`; `0` stops it at once)',
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['overlap'], 1);
      const { created, replaced } = await services.network.rollKey(positionals[0]!, duration(values.overlap ?? '24h', 'overlap'));
      return {
        json: { ...created, replaced },
        text: `New API key ${created.id} for merchant ${created.merchant_id}; ${replaced.id} works until ${replaced.expires_at}.\nAPI key (shown only now; store it safely): ${created.api_key}`,
      };
    },
  },
  'merchant key revoke': {
    args: 'KEY',
    does: 'stop an API key at once (a leaked key); requests with it answer 401 api-key-revoked',
    run: async (services, rest) => {
      const revoked = await services.network.revokeKey(options(rest, [], 1).positionals[0]!);
      return { json: { ...revoked }, text: `API key ${revoked.id} (${revoked.key}) is revoked since ${revoked.revoked_at}.` };
    },
  },
  'merchant list': {
    reads: true,
    does: 'list merchants',
    run: async (services, rest) => {
      options(rest, []);
      const data = await services.network.listMerchants();
      return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'created_at']) };
    },
  },
  'merchant set-fees': {
    args: 'MERCHANT --basis-points N [--fixed N]',
    does: "the operator's fee on each paid voucher: basis points of its amount, rounded half up (default 250 bp = 2.5 %), plus a fixed part in minor units",
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['basis-points', 'fixed'], 1);
      const basisPoints = wholeNumber(values['basis-points'], 'basis-points');
      const fixed = wholeNumber(values.fixed, 'fixed');
      // The service would refuse a change of nothing too, but only the CLI knows its flags' names.
      if (basisPoints === undefined && fixed === undefined) throw new ValidationError('give --basis-points and/or --fixed', []);
      const result = await services.network.setFees(positionals[0]!, basisPoints, fixed);
      return { json: result, text: `Merchant ${result.id} pays ${result.fee_basis_points} bp + ${result.fee_fixed} minor units per paid voucher.` };
    },
  },
  'merchant set-notify': {
    args: 'MERCHANT --channels email,sms|none',
    does: 'how vouchers reach shoppers when a request does not say (its `notify` field)',
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['channels'], 1);
      if (values.channels === undefined) throw new UsageError('missing --channels (email, sms, email,sms or none)');
      const channels = values.channels === 'none' ? [] : values.channels.split(',').map((c) => c.trim());
      const result = await services.network.setDefaultNotify(positionals[0]!, channels);
      return { json: result, text: `Merchant ${result.id} sends vouchers by ${result.default_notify.join(' and ') || 'no channel'} unless a request says otherwise.` };
    },
  },
  'store create': {
    args: '--name NAME [--currency EUR]',
    does: 'create a store; its tills take one currency',
    run: async (services, rest) => {
      const { values } = options(rest, ['name', 'currency']);
      if (!values.name) throw new UsageError('missing --name');
      const created = (await services.network.createStore(values.name, undefined, values.currency))!;
      return { json: { ...created }, text: `Created store ${created.id} (${created.name}, ${created.currency}).` };
    },
  },
  'store set-limits': {
    args: 'STORE [--currency C] [--max-voucher N] [--max-total N] [--max-count N] [--max-offline-hours H]',
    does: "change the offline lease of the store's tills (amounts in minor units), from their next sync",
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['currency', 'max-voucher', 'max-total', 'max-count', 'max-offline-hours'], 1);
      const hours = wholeNumber(values['max-offline-hours'], 'max-offline-hours');
      const result = await services.devices.setLimits(positionals[0]!, {
        currency: values.currency,
        max_voucher_amount: wholeNumber(values['max-voucher'], 'max-voucher'),
        max_unsynced_total: wholeNumber(values['max-total'], 'max-total'),
        max_unsynced_count: wholeNumber(values['max-count'], 'max-count'),
        max_offline_seconds: hours === undefined ? undefined : hours * 3600,
      });
      const l = result.lease;
      return {
        json: result,
        text: `Store ${result.store.id} tills take ${l.currency}; offline: ≤ ${l.max_voucher_amount} per voucher, ≤ ${l.max_unsynced_total} and ≤ ${l.max_unsynced_count} collections unsynced, ≤ ${l.max_offline_seconds / 3600} h since the last sync (from their next sync).`,
      };
    },
  },
  'store list': {
    reads: true,
    does: 'list stores',
    run: async (services, rest) => {
      options(rest, []);
      const data = await services.network.listStores();
      return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'currency', 'created_at']) };
    },
  },
  'store set-commission': {
    args: 'STORE --basis-points N',
    does: "the store's commission on each paid voucher (default 100 bp)",
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['basis-points'], 1);
      const bp = wholeNumber(values['basis-points'], 'basis-points');
      if (bp === undefined) throw new UsageError('missing --basis-points');
      const result = await services.network.setCommission(positionals[0]!, bp);
      return { json: result, text: `Store ${result.id} earns ${result.commission_basis_points} bp of each paid voucher.` };
    },
  },
  'store set-address': {
    args: 'STORE [--street S] [--postal-code P] [--city C] [--country CC] [--lat DEG --lng DEG] [--brand B|none]',
    does: 'where the store is, for the store directory (a store is listed once it has a street, a city and a location)',
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['street', 'postal-code', 'city', 'country', 'lat', 'lng', 'brand'], 1);
      const result = await services.stores.setAddress(positionals[0]!, {
        street: values.street,
        postalCode: values['postal-code'],
        city: values.city,
        country: values.country,
        latitude: degrees(values.lat, 'lat'),
        longitude: degrees(values.lng, 'lng'),
        brand: values.brand === 'none' ? null : values.brand,
      });
      return {
        json: result,
        text: `Store ${result.id}: ${result.address.street}, ${result.address.postal_code} ${result.address.city} ${result.address.country}${result.listed ? '' : ' (not listed yet: it needs a street, a city and a location)'}.`,
      };
    },
  },
  'store set-hours': {
    args: 'STORE [--week "mon-fri 08:00-20:00, sat 09:00-14:00"] [--time-zone ZONE]',
    does: "opening hours per weekday in the store's time zone (days not named are closed; 22:00-02:00 runs past midnight)",
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['week', 'time-zone'], 1);
      const result = await services.stores.setHours(positionals[0]!, values.week, values['time-zone']);
      return {
        json: result,
        text: `Store ${result.id} (${result.time_zone}): ${Object.entries(result.hours)
          .map(([d, i]) => `${d} ${i.length ? i.map((x) => `${x.opens}-${x.closes}`).join(' ') : 'closed'}`)
          .join(', ')}.`,
      };
    },
  },
  'store close-on': {
    args: 'STORE --date YYYY-MM-DD',
    does: 'the store is closed on that date (its own), whatever its hours',
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['date'], 1);
      if (!values.date) throw new UsageError('missing --date');
      const result = await services.stores.setClosedOn(positionals[0]!, values.date, true);
      return { json: result, text: `Store ${result.id} is closed on ${values.date}.` };
    },
  },
  'store open-on': {
    args: 'STORE --date YYYY-MM-DD',
    does: 'takes back a closed date: the store keeps its usual hours that day',
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['date'], 1);
      if (!values.date) throw new UsageError('missing --date');
      const result = await services.stores.setClosedOn(positionals[0]!, values.date, false);
      return { json: result, text: `Store ${result.id} keeps its usual hours on ${values.date}.` };
    },
  },
  'store pause': {
    args: 'STORE',
    does: 'the store takes no payments until resumed (the directory shows it as not open)',
    run: async (services, rest) => {
      const result = await services.stores.setAccepting(options(rest, [], 1).positionals[0]!, false);
      return { json: result, text: `Store ${result.id} is paused: it shows as not taking payments.` };
    },
  },
  'store resume': {
    args: 'STORE',
    does: 'the store takes payments again, in its opening hours',
    run: async (services, rest) => {
      const result = await services.stores.setAccepting(options(rest, [], 1).positionals[0]!, true);
      return { json: result, text: `Store ${result.id} takes payments again.` };
    },
  },
  'store set-payout-code': {
    args: 'STORE --above N|none',
    does: 'refunds above N (minor units) are paid out only with the six-digit code sent to the shopper; none: never asked',
    run: async (services, rest) => {
      const { values, positionals } = options(rest, ['above'], 1);
      if (values.above === undefined) throw new UsageError('missing --above (an amount in minor units, or none)');
      const above = values.above === 'none' ? null : wholeNumber(values.above, 'above')!;
      const result = await services.network.setPayoutCodeAbove(positionals[0]!, above);
      return {
        json: result,
        text:
          result.payout_code_above === null
            ? `Store ${result.id} pays refunds out without asking for a code.`
            : `Store ${result.id} asks for the shopper's code on refunds above ${result.payout_code_above} ${result.currency}.`,
      };
    },
  },
  // The name keeps the spelling operators' scripts and docs/till-protocol.md use; the product says "enrol".
  'device enroll-code': {
    args: '--store STORE',
    does: 'a one-time code (valid 24 h) that enrols a till in the store',
    run: async (services, rest) => {
      const created = await services.devices.createEnrolmentCode(option(rest, 'store')!);
      return {
        json: created,
        text: `Enrolment code for ${created.store.name} (${created.store.id}): ${created.code}\nType it on the till at /cashier before ${created.expires_at}. It works once.`,
      };
    },
  },
  'device list': {
    reads: true,
    does: 'tills with their journal health: missing records, reused sequence numbers, chain breaks, rejected collections',
    run: async (services, rest) => {
      options(rest, []);
      const data = await services.devices.list();
      return {
        json: { object: 'list', data },
        text: table(
          data.map((d) => ({ ...d, flags: d.flags.join('; ') || 'ok' })),
          ['id', 'store_id', 'name', 'status', 'last_seen_at', 'collections', 'flags'],
        ),
      };
    },
  },
  'device revoke': {
    args: 'DEVICE',
    does: 'stop a lost till: what it sends afterwards is rejected and flagged; nothing it sent before is lost',
    run: async (services, rest) => {
      const { positionals } = options(rest, [], 1);
      const result = await services.devices.revoke(positionals[0]!);
      return { json: result, text: `Till ${result.id} is revoked: its later collections are rejected and flagged; nothing it sent before is lost.` };
    },
  },
  settle: {
    args: '--date YYYY-MM-DD',
    does: 'settlement statements for a past business day (UTC): per store what it remits, per merchant what it is paid; running it again changes nothing',
    run: async (services, rest) => {
      const run = await services.ledger.settle(option(rest, 'date')!);
      const lines = run.statements.map((st) => `  ${st.id}  ${st.party.kind} ${st.party.id}  ${st.amount} ${st.currency} ${st.meaning} (${st.transactions} transactions)`);
      return { json: run, text: `${run.created ? 'Settled' : 'Already settled'} ${run.business_date}: ${run.statements.length} statement(s)\n${lines.join('\n')}` };
    },
  },
  'statement show': {
    reads: true,
    args: 'ID [--csv]',
    does: 'one statement, every line traced to its collection',
    run: async (services, rest) => {
      const { values, positionals } = parseArgs({ args: rest, options: { csv: { type: 'boolean' } }, strict: true, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('give one statement id');
      if (values.csv) {
        const csv = await services.ledger.statementCsv(positionals[0]!);
        return { json: { id: positionals[0], csv }, text: csv.trimEnd() };
      }
      const st = await services.ledger.statement(positionals[0]!);
      return {
        json: st,
        text:
          `${st.id} ${st.party.kind} ${st.party.id} ${st.business_date}: ${st.amount} ${st.currency} ${st.meaning}\n` +
          table(st.lines, ['transaction_id', 'kind', 'collection_id', 'voucher_id', 'gross', 'fee', 'commission', 'net']),
      };
    },
  },
  'refund pay': {
    args: '--collection ID',
    does: "record that the store paid a duplicate, late or mismatched collection's refund back outside a till",
    run: async (services, rest) => {
      const collection = option(rest, 'collection')!;
      const result = await services.refunds.paidAtStore(collection);
      return { json: result, text: `Recorded: refund ${result.id} of ${result.amount} ${result.currency} for collection ${collection} was paid to the shopper.` };
    },
  },
  'review list': {
    reads: true,
    does: 'every collection held for review (rejected or mismatched): what the till recorded and why it was held',
    run: async (services, rest) => {
      options(rest, []);
      const list = await services.review.list();
      return {
        json: list,
        text: list.data.length === 0 ? 'Nothing waits for review.' : table(list.data, ['id', 'outcome', 'reason', 'amount', 'currency', 'voucher_id', 'collected_at', 'why']),
      };
    },
  },
  'review accept': {
    args: 'COLLECTION [--by NAME]',
    does: "treat it as the till's honest collection: it pays its voucher if it still can, otherwise the shopper gets a refund",
    run: (services, rest) => reviewDecision(services, rest, 'accept'),
  },
  'review refund': {
    args: 'COLLECTION [--by NAME]',
    does: 'give the shopper the cash back (a refund payable at any till)',
    run: (services, rest) => reviewDecision(services, rest, 'refund'),
  },
  'review write-off': {
    args: 'COLLECTION --reason TEXT [--by NAME]',
    does: 'close it: nobody is owed the cash and the store answers for it; the reason is kept',
    run: (services, rest) => reviewDecision(services, rest, 'write_off'),
  },
  'shift list': {
    reads: true,
    args: '--date YYYY-MM-DD [--store S]',
    does: "the tills' shift closes of a day (UTC) with expected and counted cash, and each store's difference",
    run: async (services, rest) => {
      const { values } = options(rest, ['date', 'store']);
      if (!values.date) throw new UsageError('missing --date');
      const day = await services.shifts.day(values.date, values.store);
      return {
        json: day,
        text:
          `${table(day.data, ['closed_at', 'store_id', 'till_name', 'currency', 'expected_cash', 'counted_cash', 'difference', 'outcome'])}\n` +
          (day.stores.length === 0
            ? `No shift closes on ${day.date}.`
            : day.stores.map((s) => `${s.store_id} (${s.store_name}): ${s.closes} close${s.closes === 1 ? '' : 's'}, difference ${s.difference} ${s.currency}`).join('\n')),
      };
    },
  },
  'remittance record': {
    args: '--store S --amount N --currency C [--reference R]',
    does: 'record money received from a store (outside Counterpay), posted to the ledger',
    run: async (services, rest) => {
      const { values } = options(rest, ['store', 'amount', 'currency', 'reference']);
      if (!values.store || !values.amount || !values.currency) throw new UsageError('give --store, --amount and --currency');
      const result = await services.ledger.remittance(values.store, wholeNumber(values.amount, 'amount')!, values.currency, values.reference);
      return { json: result, text: `Recorded a remittance of ${result.amount} ${result.currency} from store ${result.store_id}.` };
    },
  },
  'payout record': {
    args: '--merchant M --amount N --currency C [--reference R]',
    does: 'record money paid to a merchant (outside Counterpay), posted to the ledger',
    run: async (services, rest) => {
      const { values } = options(rest, ['merchant', 'amount', 'currency', 'reference']);
      if (!values.merchant || !values.amount || !values.currency) throw new UsageError('give --merchant, --amount and --currency');
      const result = await services.ledger.payout(values.merchant, wholeNumber(values.amount, 'amount')!, values.currency, values.reference);
      return { json: result, text: `Recorded a payout of ${result.amount} ${result.currency} to merchant ${result.merchant_id}.` };
    },
  },
  'ledger balances': {
    reads: true,
    does: "every account's balance, summed from its postings",
    run: async (services, rest) => {
      options(rest, []);
      const result = await services.ledger.balances();
      return { json: result, text: table(result.data, ['account', 'currency', 'balance']) };
    },
  },
  'webhook create': {
    args: '--merchant M --url URL --events a,b',
    does: "register a merchant's webhook endpoint (its signing secret is shown only here)",
    run: async (services, rest) => {
      const { values } = options(rest, ['merchant', 'url', 'events']);
      if (!values.merchant || !values.url || !values.events) throw new UsageError('give --merchant, --url and --events');
      const result = await services.webhooks.create(values.merchant, {
        url: values.url,
        events: values.events
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
      });
      return { json: result, text: `Endpoint ${result.id} receives ${result.events.join(', ')} at ${result.url}.\nSigning secret (shown only now): ${result.secret}` };
    },
  },
  'webhook list': {
    reads: true,
    args: '--merchant M',
    does: "a merchant's webhook endpoints",
    run: async (services, rest) => {
      const merchant = option(rest, 'merchant')!;
      const result = await services.webhooks.list(merchant);
      return {
        json: result,
        text: table(
          result.data.map((e) => ({ ...e, events: e.events.join(',') })),
          ['id', 'status', 'url', 'events'],
        ),
      };
    },
  },
  'keys list': {
    reads: true,
    does: 'the token-signing keys and their states (see `docs/voucher-token.md`)',
    run: async (services, rest) => {
      options(rest, []);
      const data = await services.keys.list();
      return { json: { object: 'list', data }, text: table(data, ['kid', 'state', 'signs_from', 'signs_until', 'verify_until']) };
    },
  },
  'keys rotate': {
    does: 'start a new signing key; older tokens keep verifying until they expire',
    run: async (services, rest) => {
      options(rest, []);
      const result = await services.keys.rotate();
      return {
        json: { ...result },
        text:
          `Key ${result.current.kid} now signs new vouchers.` +
          (result.retired ? ` Key ${result.retired.kid} is retired and verifies its tokens until ${result.retired.verify_until}.` : ''),
      };
    },
  },
  'keys withdraw': {
    args: '--kid N',
    does: 'withdraw a compromised key: its tokens stop verifying',
    run: async (services, rest) => {
      const kid = Number(option(rest, 'kid'));
      if (!Number.isInteger(kid) || kid < 1) throw new ValidationError('--kid must be a key id (a positive whole number)', [{ field: 'kid', message: 'a positive whole number' }]);
      const result = await services.keys.withdraw(kid);
      return { json: { ...result }, text: `Key ${kid} is withdrawn: its tokens no longer verify. Key ${result.current.kid} signs new vouchers.` };
    },
  },
  worker: {
    does: 'run an extra outbox worker (webhooks, e-mail, SMS, voucher expiry) until stopped; any number may share one PostgreSQL',
  },
};

/** Commands that run in the CLI's own process until stopped (cli.ts runs them), never through a server's admin socket. */
export const OWN_PROCESS_COMMANDS: readonly string[] = Object.keys(COMMANDS).filter((name) => !COMMANDS[name]!.run);

/** The name of every command, as usage and README's CLI table write it. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

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
    const command = COMMANDS[name]!;
    const handler = command.run;
    if (!handler) throw new UsageError(`${name} runs in a process of its own: start it with \`counterpay ${name}\``);
    if (command.reads) return await handler(services, args);
    // A change: its audit row is written before it runs and given its outcome after (docs/console.md).
    const target = args[0] !== undefined && !args[0].startsWith('-') ? args[0] : null; // a command's object comes first (`store pause STORE`)
    return await services.console.audited(
      { kind: 'cli' },
      { action: name, target, merchantId: null },
      { ip: null, userAgent: `counterpay CLI (${process.env.USER ?? 'unknown user'})` },
      () => handler(services, args),
      (r) => ({ ok: true, result: 'done', target: typeof r.json.id === 'string' ? r.json.id : target }),
    );
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

/** One review decision from the command line; `--by` defaults to the operating system's user name. */
async function reviewDecision(services: Services, rest: string[], decision: Decision) {
  const { values, positionals } = options(rest, decision === 'write_off' ? ['by', 'reason'] : ['by'], 1);
  if (decision === 'write_off' && !values.reason) throw new UsageError('missing --reason');
  const by = values.by ?? process.env.USER ?? 'operator';
  const result = await services.review.decide(positionals[0]!, decision, { by, reason: values.reason });
  return { json: result, text: `Collection ${result.collection_id}: ${decision.replace('_', '-')} by ${by}: ${result.result}.` };
}
