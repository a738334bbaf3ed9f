/** The app-wide state objects, handed to components through Svelte context. */
import { getContext, setContext } from 'svelte';
import type { I18n } from './i18n.svelte.ts';
import type { Router } from './router.svelte.ts';
import type { Clock, Network } from './network.svelte.ts';
import type { AppUpdate } from './update.svelte.ts';
import type { Wallet } from '../shopper/wallet.svelte.ts';

export interface AppContext {
  i18n: I18n;
  router: Router;
  network: Network;
  clock: Clock;
  update: AppUpdate;
  wallet: Wallet;
}

const KEY = Symbol('counterpay');

export function provideApp(app: AppContext): void {
  setContext(KEY, app);
}

export function useApp(): AppContext {
  return getContext<AppContext>(KEY);
}
