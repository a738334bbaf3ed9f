/** The console's state and its sentences, handed to its pages through Svelte context. */
import { getContext, setContext } from 'svelte';
import type { ConsoleSession } from './console.svelte.ts';
import type { ConsoleMessageKey } from './messages.ts';
import type { HttpResult } from '../app/http.ts';

export interface ConsoleContext {
  session: ConsoleSession;
  t: (key: ConsoleMessageKey, params?: Record<string, string | number>) => string;
  /** The sentence for a failed call: the server's detail, or that the console needs the network. */
  failed: (result: Extract<HttpResult<unknown>, { ok: false }>) => string;
}

const KEY = Symbol('counterpay-console');

export const provideConsole = (c: ConsoleContext) => setContext(KEY, c);
export const useConsole = () => getContext<ConsoleContext>(KEY);
