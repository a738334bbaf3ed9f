/** The cached operator key set, so tokens verify with no network (docs/architecture.md §4). */
import { db } from './db.ts';
import { keysRecordSchema, type KeysRecord } from './records.ts';

export async function getCachedKeys(): Promise<KeysRecord | null> {
  const value = await (await db()).get('keys', 'operator');
  if (value === undefined) return null;
  const result = keysRecordSchema.safeParse(value);
  // An unreadable cache is as good as none: the next online check fetches a fresh set.
  return result.success ? result.data : null;
}

export async function putCachedKeys(record: KeysRecord): Promise<void> {
  await (await db()).put('keys', keysRecordSchema.parse(record));
}
