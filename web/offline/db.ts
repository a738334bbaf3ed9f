/**
 * The app's IndexedDB database. The schema grows one version at a time in `upgrade`, each step
 * guarded by `oldVersion`, so a phone that skipped releases still walks every step (docs/architecture.md §9.4).
 * The cashier view adds its stores as later versions of this same database.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DB_NAME = 'counterpay';
/** 1: shopper vouchers and operator keys. 2: the till (device, sync state, paid list, collection journal). */
export const DB_VERSION = 2;

export interface CounterpayDB extends DBSchema {
  /** Vouchers saved by the shopper view. Values are parsed with records.ts on the way out. */
  vouchers: {
    key: string;
    value: unknown;
    indexes: { bySavedAt: number; byLinkCode: string };
  };
  /** The operator's public keys (one record, id "operator"), for offline verification. */
  keys: { key: string; value: unknown };
  /**
   * The till's own facts, one record each, parsed with till-records.ts on the way out:
   * "device" (enrolment, credential, device key pair, lease), "sync" (feed cursor, last sync times)
   * and "shift" (when the current shift began).
   */
  till: { key: string; value: unknown };
  /** The vouchers the server's feed lists as paid or canceled elsewhere, by voucher id. */
  paidList: { key: string; value: unknown };
  /**
   * The till's collection journal (docs/architecture.md §5): the source of truth until the server answers.
   * Rows are never deleted; a final outcome only changes their state.
   */
  journal: {
    key: string;
    value: unknown;
    indexes: { byDeviceSeq: [string, number]; byState: string; byVoucher: string };
  };
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
      if (oldVersion < 2) {
        database.createObjectStore('till', { keyPath: 'id' });
        database.createObjectStore('paidList', { keyPath: 'voucher_id' });
        const journal = database.createObjectStore('journal', { keyPath: 'id' });
        // Unique: two tabs can never both write sequence number n for one device (see journal.store.ts).
        journal.createIndex('byDeviceSeq', ['deviceId', 'seq'], { unique: true });
        journal.createIndex('byState', 'state');
        journal.createIndex('byVoucher', 'voucherId');
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
