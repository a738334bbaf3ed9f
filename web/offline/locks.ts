/**
 * Web Locks (one holder across every tab of this origin). Where the browser has none, the work
 * runs unguarded: the journal's write transaction and unique index still keep it correct, only
 * a little more work may be repeated.
 */
export async function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!('locks' in navigator)) return work();
  return navigator.locks.request(name, work);
}

/** Runs `work` only if no other tab holds the lock; returns `{ ran: false }` when one does. */
export async function ifLockFree<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  if (!('locks' in navigator)) return { ran: true, value: await work() };
  return navigator.locks.request(name, { ifAvailable: true }, async (lock) => (lock ? { ran: true as const, value: await work() } : { ran: false as const }));
}
