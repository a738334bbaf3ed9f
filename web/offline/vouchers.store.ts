/** Saved vouchers in IndexedDB. Every record read back is parsed; a record that fails is left out and reported. */
import { db } from './db.ts';
import { readVoucherRecord as parse, voucherRecordSchema, type StoresRecord, type VoucherRecord } from './records.ts';

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

/**
 * Changes a stored voucher in one transaction: what `change` gets is what is stored at that
 * moment, so a write of one part (the status, the store list) never puts back a stale copy of
 * another that a second writer changed meanwhile. Does nothing for a voucher no longer stored
 * (removed meanwhile) or no longer readable; returns what was written.
 */
export async function updateVoucherRecord(id: string, change: (stored: VoucherRecord) => VoucherRecord): Promise<VoucherRecord | null> {
  const tx = (await db()).transaction('vouchers', 'readwrite');
  const value = await tx.store.get(id);
  const stored = value === undefined ? null : parse(value);
  const next = stored && voucherRecordSchema.parse(change(stored));
  if (next) await tx.store.put(next);
  await tx.done;
  return next;
}

/** Keeps the stores listed under a voucher with it (web/shopper/WhereToPay.svelte). */
export function putVoucherStores(id: string, stores: StoresRecord): Promise<VoucherRecord | null> {
  return updateVoucherRecord(id, (stored) => ({ ...stored, stores }));
}

export async function deleteVoucherRecord(id: string): Promise<void> {
  await (await db()).delete('vouchers', id);
}
