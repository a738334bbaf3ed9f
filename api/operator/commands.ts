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
  store create --name NAME      create a store
  store list                    list stores
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

function option(args: string[], name: string, required = true): string | undefined {
  const { values } = parseArgs({ args, options: { [name]: { type: 'string' } }, strict: true, allowPositionals: false });
  const value = values[name] as string | undefined;
  if (required && value === undefined) throw new UsageError(`missing --${name}`);
  return value;
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
      case 'merchant list': {
        const data = await services.network.listMerchants();
        return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'created_at']) };
      }
      case 'store create': {
        const created = (await services.network.createStore(option(rest, 'name')!))!;
        return { json: { ...created }, text: `Created store ${created.id} (${created.name}).` };
      }
      case 'store list': {
        const data = await services.network.listStores();
        return { json: { object: 'list', data }, text: table(data, ['id', 'name', 'created_at']) };
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
