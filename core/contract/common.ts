/** Field rules that several wire shapes share. */
import * as z from 'zod/mini';

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
export const listOf = <T extends z.ZodMiniType>(item: T) => z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() });
