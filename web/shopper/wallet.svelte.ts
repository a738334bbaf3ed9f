/**
 * The vouchers saved on this phone (the wallet screen groups and orders them: glance.ts), and the checks of their status with the server.
 * IndexedDB is the truth; this is the screens' copy of it, reloaded after every write.
 */
import {
  deleteVoucherRecord,
  getVoucherRecord,
  getVoucherRecordByLinkCode,
  listVoucherRecords,
  putVoucherRecord,
  putVoucherStores,
  updateVoucherRecord,
} from '../offline/vouchers.store.ts';
import type { StoresRecord, VoucherRecord } from '../offline/records.ts';
import { operatorKeys } from '../offline/operator-keys.ts';
import { fetchLink, fetchStatuses } from './shopper.api.ts';
import { openInlineToken, openLinkCode, type OpenDeps, type OpenResult } from './open-voucher.ts';
import { voucherFromRecord, type SavedVoucher } from './voucher.ts';
import { canceledBeforeOpened } from './glance.ts';

/** How often open vouchers are re-checked while the app is in front and online. */
const STATUS_INTERVAL_MS = 60_000;
/** Set while notifications are on (= web/shopper/push.ts PUSH_STORAGE_KEY): only then is that chunk loaded here. */
const PUSH_KEY = 'counterpay.push';

/** With notifications on, tells the server the phone's vouchers again (web/shopper/push.ts resend); `added`: unless it already knows this one. */
function tellPush(added?: string): void {
  let on = false;
  try {
    on = localStorage.getItem(PUSH_KEY) !== null;
  } catch {
    // Storage blocked: notifications were never turned on here.
  }
  if (on) void import('./push.ts').then((push) => push.resend(push.browserPushDeps(listVoucherRecords), { unlessTold: added }));
}

const openDeps: OpenDeps = {
  keys: operatorKeys,
  getRecord: getVoucherRecord,
  getRecordByLinkCode: getVoucherRecordByLinkCode,
  putRecord: putVoucherRecord,
  fetchLink,
  now: () => Date.now(),
};

/**
 * A status check's answer, written over what is stored now: the store list (web/shopper/WhereToPay.svelte)
 * may have been saved while the check waited for the server, and a voucher removed meanwhile stays removed.
 */
async function putStatus(next: VoucherRecord): Promise<void> {
  await updateVoucherRecord(next.id, (stored) => ({ ...next, stores: stored.stores }));
}

export class Wallet {
  vouchers = $state<SavedVoucher[]>([]);
  loaded = $state(false);
  checking = $state(false);
  /** Saved records this version cannot read (written by a newer or broken version); not shown. */
  unreadable = $state(0);
  /** Shown in this visit but not kept on the phone: canceled before it was first opened (glance.ts). */
  private shownOnly = $state<SavedVoucher[]>([]);
  private loading: Promise<void> | undefined;

  /** Loads once; later calls wait for the same load. */
  ready(): Promise<void> {
    this.loading ??= this.reload();
    return this.loading;
  }

  async reload(): Promise<void> {
    const records = await listVoucherRecords();
    const vouchers = records.map(voucherFromRecord);
    this.vouchers = vouchers.filter((v): v is SavedVoucher => v !== null);
    this.unreadable = vouchers.length - this.vouchers.length;
    this.loaded = true;
  }

  find(id: string): SavedVoucher | undefined {
    return this.vouchers.find((v) => v.id === id) ?? this.shownOnly.find((v) => v.id === id);
  }

  /** Whether the voucher is in the wallet (false for one shown but not kept). */
  holds(id: string): boolean {
    return this.vouchers.some((v) => v.id === id);
  }

  private showOnly(voucher: SavedVoucher | null): void {
    if (voucher) this.shownOnly = [...this.shownOnly.filter((v) => v.id !== voucher.id), voucher];
  }

  async openInline(token: string): Promise<OpenResult> {
    return this.afterOpen(await openInlineToken(token, location.origin, openDeps));
  }

  async openLink(code: string): Promise<OpenResult> {
    return this.afterOpen(await openLinkCode(code, navigator.onLine, openDeps));
  }

  private async afterOpen(result: OpenResult): Promise<OpenResult> {
    if (!result.ok) return result;
    if (!result.saved) {
      this.showOnly(result.voucher);
      return result;
    }
    await this.reload();
    // Ask the browser not to evict the saved vouchers under storage pressure (Safari drops
    // site data after 7 days without use otherwise). Refusal is fine: it is only a request.
    void navigator.storage?.persist?.().catch(() => false);
    // Once the voucher is on screen (two frames): the status check and its code (a chunk of its own)
    // come after the QR, not before it.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        void this.checkStatuses(result.voucher.id);
        tellPush(result.voucher.id);
      }),
    );
    return result;
  }

  /** Every readable saved record, newest first (for web/shopper/push.ts, which tells the server their tokens). */
  records(): Promise<VoucherRecord[]> {
    return listVoucherRecords();
  }

  /** Keeps the stores listed under a voucher with it (web/shopper/WhereToPay.svelte); nothing for one not kept. */
  async saveStores(id: string, stores: StoresRecord): Promise<void> {
    if (await putVoucherStores(id, stores)) await this.reload();
  }

  async remove(id: string): Promise<void> {
    await deleteVoucherRecord(id);
    await this.reload();
    tellPush();
  }

  /**
   * Asks the server about every voucher it may have news of (status-sync.ts), and about `alsoId`
   * whatever its status: a voucher on screen may have a refund the phone has not heard of. Quietly
   * does nothing offline.
   */
  async checkStatuses(alsoId?: string): Promise<void> {
    if (this.checking || !navigator.onLine) return;
    this.checking = true;
    try {
      const [records, { needsStatusCheck, syncStatuses }] = await Promise.all([listVoucherRecords(), import('./status-sync.ts')]);
      const now = Date.now();
      const outcome = await syncStatuses(records, { fetchStatuses, putRecord: putStatus, now: () => Date.now() }, (r) => r.id === alsoId || needsStatusCheck(r, now));
      // A QR opened before the phone could ask: the first answer may say it was canceled before then.
      for (const record of outcome.updated) {
        const neverChecked = records.find((r) => r.id === record.id)?.statusCheckedAt === null;
        if (!neverChecked || !canceledBeforeOpened(record)) continue;
        this.showOnly(voucherFromRecord(record));
        await deleteVoucherRecord(record.id);
      }
      if (outcome.updated.length > 0) await this.reload();
    } finally {
      this.checking = false;
    }
  }

  /** Re-checks when the phone comes online, when the app returns to the front, and every minute. */
  watch(): void {
    addEventListener('online', () => void this.checkStatuses());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.checkStatuses();
    });
    setInterval(() => {
      if (document.visibilityState === 'visible') void this.checkStatuses();
    }, STATUS_INTERVAL_MS);
  }
}
