/** How long a voucher may be payable (Stripe Konbini and Boleto default to 3 days and allow up to 60). */
export const DEFAULT_EXPIRES_IN_SECONDS = 3 * 24 * 3600;
export const MIN_EXPIRES_IN_SECONDS = 15 * 60;
export const MAX_EXPIRES_IN_SECONDS = 60 * 24 * 3600;
