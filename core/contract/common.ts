/** Field rules that several wire shapes share. */
import * as z from 'zod/mini';
import { described } from './docs.ts';

/** An ISO 4217 code as the server writes it: three upper-case letters. */
export const CurrencyCode = z.string().check(z.regex(/^[A-Z]{3}$/));

/** A moment the server wrote (RFC 3339, UTC, milliseconds). */
export const Timestamp = z.string();

/** A voucher token as decimal digits (docs/voucher-token.md). */
export const TokenDigits = z.string().check(z.regex(/^[0-9]+$/));

/** A SHA-256 hash in lower-case hex. */
export const Hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'));

/** An integer count of minor units, with the field's name in the message. */
export const minorUnits = (what: string) => z.number().check(z.int(`${what} must be an integer count of minor units`));

/** The envelope of every paged list: newest first, `has_more` while another page follows. */
export const listOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({
    object: described(z.literal('list'), 'Always `list`.'),
    data: described(z.array(item), 'This page, newest first.'),
    has_more: described(z.boolean(), 'True while another page follows: ask again with `starting_after` set to the last id of this page.'),
  });
