/**
 * Sums of postings, exact however large. PostgreSQL sums bigint amounts as numeric; we read the
 * sum as text and never through a float. A JSON number is exact in every client up to 2^53 − 1
 * minor units; a sum beyond that is written as a decimal string, which stays exact (documented in
 * the README under "Money"). Individual amounts never get there: no voucher exceeds 99,999,999.
 */
export function exactAmount(sum: string | null | undefined): number | string {
  const text = (sum ?? '0').trim();
  if (!/^-?\d+$/.test(text)) throw new Error(`not a whole number of minor units: ${JSON.stringify(text)}`);
  const value = BigInt(text);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}
