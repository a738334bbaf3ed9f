/**
 * The vouchers saved on this phone, newest first, and the checks of their status with the server.
 * IndexedDB is the truth; this is the screens' copy of it, reloaded after every write.
 */
import { deleteVoucherRecord, getVoucherRecord, getVoucherRecordByLinkCode, listVoucherRecords, putVoucherRecord } from '../offline/vouchers.store.ts';
import { operatorKeys } from '../offline/operator-keys.ts';
import { fetchLink, fetchStatuses } from './shopper.api.ts';
import { openInlineToken, openLinkCode, type OpenDeps, type OpenResult } from './open-voucher.ts';
import { needsStatusCheck, syncStatuses } from './status-sync.ts';
import { voucherFromRecord, type SavedVoucher } from './voucher.ts';

/** How often open vouchers are re-checked while the app is in front and online. */
const STATUS_INTERVAL_MS = 60_000;

const openDeps: OpenDeps = {
  keys: operatorKeys,
  getRecord: getVoucherRecord,
  getRecordByLinkCode: getVoucherRecordByLinkCode,
  putRecord: putVoucherRecord,
  fetchLink,
  now: () => Date.now(),
};

export class Wallet {
  vouchers = $state<SavedVoucher[]>([]);
  loaded = $state(false);
  checking = $state(false);
  /** Saved records this version cannot read (written by a newer or broken version); not shown. */
  unreadable = $state(0);
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
    return this.vouchers.find((v) => v.id === id);
  }

  async openInline(token: string): Promise<OpenResult> {
    return this.afterOpen(await openInlineToken(token, location.origin, openDeps));
  }

  async openLink(code: string): Promise<OpenResult> {
    return this.afterOpen(await openLinkCode(code, navigator.onLine, openDeps));
  }

  private async afterOpen(result: OpenResult): Promise<OpenResult> {
    if (!result.ok) return result;
    await this.reload();
    // Ask the browser not to evict the saved vouchers under storage pressure (Safari drops
    // site data after 7 days without use otherwise). Refusal is fine: it is only a request.
    void navigator.storage?.persist?.().catch(() => false);
    void this.checkStatuses(result.voucher.id);
    return result;
  }

  async remove(id: string): Promise<void> {
    await deleteVoucherRecord(id);
    await this.reload();
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
      const records = await listVoucherRecords();
      const now = Date.now();
      const outcome = await syncStatuses(records, { fetchStatuses, putRecord: putVoucherRecord, now: () => Date.now() }, (r) => r.id === alsoId || needsStatusCheck(r, now));
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
