/** The API's sense of "now", injectable so that expiry rules are tested with a fake clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
