/**
 * Rate limits for what a guesser would repeat: enrolment attempts per client address, typed
 * reference look-ups per till (docs/security.md). A fixed window per key, kept in this process:
 * with several API processes the limit applies per process (N processes allow N times as many),
 * which still bounds a guesser to a rate far below what guessing a 12-digit reference or an
 * 8-character code needs. Windows run on the API's clock, so tests move time instead of waiting.
 */
import type { Context } from 'hono';
import type { Clock } from '../clock.ts';
import { RateLimitedError } from '../errors.ts';

export interface RateRule {
  /** What is limited, for the problem's sentence ("enrolment attempts from this address"). */
  what: string;
  max: number;
  windowMs: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly rule: RateRule,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one attempt for `key`; throws RateLimitedError (429, Retry-After) past the limit. */
  take(key: string | null): void {
    if (key === null) return;
    const now = this.clock.now().getTime();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.rule.windowMs) {
      if (this.windows.size >= this.maxKeys) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count > this.rule.max)
      throw new RateLimitedError(`${this.rule.what} (at most ${this.rule.max} in ${this.rule.windowMs / 1000} s)`, (w.start + this.rule.windowMs - now) / 1000);
  }
}

/** The peer's address as the HTTP server saw it; null for a request made in-process (no network peer). */
export function clientAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

export const ENROLMENT_ATTEMPTS: RateRule = { what: 'enrolment attempts from this address', max: 20, windowMs: 15 * 60_000 };
export const REFERENCE_LOOKUPS: RateRule = { what: 'typed reference look-ups from this till', max: 30, windowMs: 60_000 };
