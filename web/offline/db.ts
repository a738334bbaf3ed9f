/**
 * The app's IndexedDB database. The schema grows one version at a time in `upgrade`, each step
 * guarded by `oldVersion`, so a phone that skipped releases still walks every step (STYLE §9).
 * The cashier view adds its stores as later versions of this same database.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DB_NAME = 'counterpay';
export const DB_VERSION = 1;

export interface CounterpayDB extends DBSchema {
  /** Vouchers saved by the shopper view. Values are parsed with records.ts on the way out. */
  vouchers: {
    key: string;
    value: unknown;
    indexes: { bySavedAt: number; byLinkCode: string };
  };
  /** The operator's public keys (one record, id "operator"), for offline verification. */
  keys: { key: string; value: unknown };
}

let opening: Promise<IDBPDatabase<CounterpayDB>> | undefined;

export function db(): Promise<IDBPDatabase<CounterpayDB>> {
  opening ??= openDB<CounterpayDB>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        const vouchers = database.createObjectStore('vouchers', { keyPath: 'id' });
        vouchers.createIndex('bySavedAt', 'savedAt');
        // Records without a link code are simply absent from this index.
        vouchers.createIndex('byLinkCode', 'linkCode');
        database.createObjectStore('keys', { keyPath: 'id' });
      }
    },
    blocking() {
      // A newer tab wants to upgrade the schema: step aside; that tab's reload prompt covers us.
      void opening?.then((d) => d.close());
      opening = undefined;
    },
  });
  return opening;
}
