/** One voucher screen: opening the voucher from its URL (or from the phone), then showing it. */
import type { Route } from '../app/routes.ts';
import { savedVoucherPath } from '../app/routes.ts';
import type { OpenRefusalReason } from './open-voucher.ts';
import type { Wallet } from './wallet.svelte.ts';

export type VoucherPageState =
  | { kind: 'loading' }
  | { kind: 'shown'; id: string }
  | { kind: 'refused'; reason: OpenRefusalReason }
  /** A /vouchers/<id> URL for a voucher this phone does not hold (removed, or another phone's). */
  | { kind: 'missing' };

export class VoucherPage {
  state = $state<VoucherPageState>({ kind: 'loading' });
  /**
   * The refund the address names (`?refund=rfd_…`, a refund's `refund_url`): its card is scrolled
   * to and its heading focused once it shows, then this is cleared.
   */
  focusRefund = $state<string | null>(null);

  private readonly wallet: Wallet;

  constructor(wallet: Wallet) {
    this.wallet = wallet;
  }

  /** The voucher as the wallet currently knows it, so a status change shows at once. */
  get voucher() {
    return this.state.kind === 'shown' ? (this.wallet.find(this.state.id) ?? null) : null;
  }

  /** False for a voucher shown but not kept on the phone (canceled before it was first opened). */
  get saved() {
    return this.state.kind === 'shown' && this.wallet.holds(this.state.id);
  }

  /** Why it was refused, when only for want of a connection the first time: opening again once online can succeed. */
  get needsConnection(): 'link_offline' | 'keys_unavailable' | null {
    if (this.state.kind !== 'refused') return null;
    return this.state.reason === 'link_offline' || this.state.reason === 'keys_unavailable' ? this.state.reason : null;
  }

  async open(route: Extract<Route, { name: 'inline' | 'link' | 'saved' }>): Promise<void> {
    this.focusRefund = new URLSearchParams(location.search).get('refund');
    if (route.name === 'saved') {
      await this.wallet.ready();
      this.state = this.wallet.find(route.id) ? { kind: 'shown', id: route.id } : { kind: 'missing' };
      // Asked even when settled: the voucher on screen may have a refund this phone has not heard of.
      if (this.state.kind === 'shown') void this.wallet.checkStatuses(route.id);
      return;
    }
    const result = route.name === 'inline' ? await this.wallet.openInline(route.token) : await this.wallet.openLink(route.code);
    if (!result.ok) {
      this.state = { kind: 'refused', reason: result.reason };
      return;
    }
    this.state = { kind: 'shown', id: result.voucher.id };
    // Not kept on the phone: the address stays the link, so a reload asks the server again.
    if (!result.saved) return;
    // The stable address: it does not carry the token, so copying it from the address bar does not
    // hand the voucher to someone else, and it reopens from the phone alone. The screen already
    // shows the voucher, so only the address changes (no new route, no second load). The query
    // stays: a reload of a refund's link comes back to that refund.
    history.replaceState(null, '', savedVoucherPath(result.voucher.id) + location.search);
  }
}
