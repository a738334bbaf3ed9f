/** Saved vouchers in IndexedDB. Every record read back is parsed; a record that fails is left out and reported. */
import { db } from './db.ts';
import { readVoucherRecord as parse, voucherRecordSchema, type VoucherRecord } from './records.ts';

export async function getVoucherRecord(id: string): Promise<VoucherRecord | null> {
  const value = await (await db()).get('vouchers', id);
  return value === undefined ? null : parse(value);
}

export async function getVoucherRecordByLinkCode(code: string): Promise<VoucherRecord | null> {
  const value = await (await db()).getFromIndex('vouchers', 'byLinkCode', code);
  return value === undefined ? null : parse(value);
}

/** Every readable saved voucher, newest first. */
export async function listVoucherRecords(): Promise<VoucherRecord[]> {
  const values = await (await db()).getAllFromIndex('vouchers', 'bySavedAt');
  return values
    .map(parse)
    .filter((r): r is VoucherRecord => r !== null)
    .reverse();
}

export async function putVoucherRecord(record: VoucherRecord): Promise<void> {
  // Parse on the way in too: a bug must not write a row that the next read would hide.
  await (await db()).put('vouchers', voucherRecordSchema.parse(record));
}

export async function deleteVoucherRecord(id: string): Promise<void> {
  await (await db()).delete('vouchers', id);
}
