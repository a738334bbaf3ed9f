/**
 * A process-wide clock shift for proving that no test depends on the calendar, where libfaketime
 * cannot be used (Chromium loads no page under it). With COUNTERPAY_CLOCK_SHIFT_DAYS=N, `Date` in
 * this process reads N days from now (N may be negative); monotonic time (performance.now, timers)
 * stays real. Loaded with `node --import ./test/support/shifted-clock.mjs`; NODE_OPTIONS carries it
 * into every Node process a test starts, and the browser helpers shift the pages' Date the same way
 * (test/browser/support/browser.ts). Used by `npm run test:shifted`; never in production code.
 */
const days = Number(process.env.COUNTERPAY_CLOCK_SHIFT_DAYS ?? 0);
if (Number.isFinite(days) && days !== 0) {
  const offset = days * 86_400_000;
  const RealDate = globalThis.Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + offset);
      else super(...args);
    }
    static now() {
      return realNow() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
