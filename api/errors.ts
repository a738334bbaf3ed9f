/**
 * Named failures, one family: every one is a CounterpayError with a kind, a stable code and a
 * detail that carries the offending value. Services throw these; api/http/problem.ts is the one
 * place that turns them into HTTP (RFC 9457 problem details), the operator CLI prints their code
 * and detail (api/operator/commands.ts describeFailure), and the outbox worker reads a
 * DeliveryError's `permanent`. They speak in domain words (a store, an amount), never in one
 * front end's terms (a CLI flag); each front end maps its own input to those words.
 */

import type { ProblemCode } from '../core/contract/problem.ts';

/** How a failure reads to a client; problem.ts maps each to its HTTP status. */
export type FailureKind =
  | 'invalid' // the request itself is wrong: fix and send again
  | 'unauthenticated' // no valid credential
  | 'forbidden' // a valid credential that may not do this (a revoked till)
  | 'not_found' // no such thing for this caller (another merchant's voucher included)
  | 'conflict' // the thing is in a state that forbids this, or a duplicate request is in flight
  | 'unprocessable' // well-formed but contradicts an earlier request (idempotency key reuse)
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited' // too many of these requests in a short time: wait `retryAfterSeconds`
  | 'unavailable'; // a dependency (the database) is down: try again

export interface FieldError {
  /** JSON path of the offending field, dotted: `items.2.quantity`. */
  field: string;
  message: string;
}

/**
 * Codes of failures that never reach a client as HTTP: the CLI's usage errors and message
 * delivery. Every other code is a problem code of the wire contract (core/contract/problem.ts).
 */
export type LocalCode = 'usage' | 'message-undeliverable' | 'delivery-deferred' | 'sms-too-long' | 'sms-template-invalid';

export class CounterpayError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** Stable slug: the problem `type` URI's fragment, or a LocalCode. */
    readonly code: ProblemCode | LocalCode,
    /** Short, fixed summary for the problem `title`. */
    readonly title: string,
    detail: string,
    readonly fields?: FieldError[],
    /** For `rate_limited` and `unavailable`: when to try again (the `Retry-After` header). */
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}

export class ValidationError extends CounterpayError {
  constructor(detail: string, fields: FieldError[] = []) {
    super('invalid', 'validation-failed', 'The request is invalid', detail, fields);
  }
}

export class MalformedJsonError extends CounterpayError {
  constructor(detail: string) {
    super('invalid', 'malformed-json', 'The request body is not valid JSON', detail);
  }
}

export class UnsupportedMediaTypeError extends CounterpayError {
  constructor(contentType: string | undefined) {
    super(
      'unsupported_media_type',
      'unsupported-media-type',
      'The request body must be JSON',
      `send Content-Type: application/json (got ${contentType ? `"${contentType}"` : 'none'})`,
    );
  }
}

export class BodyTooLargeError extends CounterpayError {
  constructor(limit: number) {
    super('too_large', 'body-too-large', 'The request body is too large', `the request body exceeds ${limit} bytes`);
  }
}

export class UnauthenticatedError extends CounterpayError {
  constructor(detail: string) {
    super('unauthenticated', 'unauthenticated', 'Authentication is required', detail);
  }
}

/** A key that existed and no longer opens the API: revoked, or rolled and past its overlap. */
export class ApiKeyEndedError extends CounterpayError {
  constructor(reason: 'revoked' | 'expired', at: Date) {
    super(
      'unauthenticated',
      reason === 'revoked' ? 'api-key-revoked' : 'api-key-expired',
      reason === 'revoked' ? 'The API key was revoked' : 'The API key has expired',
      reason === 'revoked'
        ? `this API key was revoked at ${at.toISOString()}: use another of your keys, or ask your operator for a new one`
        : `this API key was rolled and stopped working at ${at.toISOString()}: use the key that replaced it`,
    );
  }
}

/** A read-only key sent with a request that would change something. */
export class ReadOnlyKeyError extends CounterpayError {
  constructor(method: string) {
    super('forbidden', 'api-key-read-only', 'The API key is read-only', `this API key may only read (GET); ${method} needs a key with full access`);
  }
}

/** A test helper called with a live key: the helpers act on test-mode objects only. */
export class TestModeOnlyError extends CounterpayError {
  constructor() {
    super(
      'forbidden',
      'test-mode-only',
      'Test helpers need a test key',
      'the test helpers work in test mode only: call them with a test API key (cpk_test_…); nothing was changed',
    );
  }
}

/** A console cookie that opens no session (none, signed out, idle too long, past its absolute expiry). */
export class SessionEndedError extends CounterpayError {
  constructor(detail: string) {
    super('unauthenticated', 'session-ended', 'Not signed in', detail);
  }
}

/** A sign-in link or passkey that does not sign anyone in. */
export class SignInFailedError extends CounterpayError {
  constructor(detail: string) {
    super('unauthenticated', 'sign-in-failed', 'Sign-in failed', detail);
  }
}

/** A signed-in user whose role does not allow this (a viewer refunding, a merchant user calling an operator route). */
export class ConsoleAccessError extends CounterpayError {
  constructor(detail: string) {
    super('forbidden', 'console-forbidden', 'Your role does not allow this', detail);
  }
}

/**
 * A state-changing request with a console cookie that did not come from the console's own pages
 * (its Origin is another site's, or it lacks the session's CSRF token): nothing was changed.
 */
export class CrossSiteRequestError extends CounterpayError {
  constructor(detail: string) {
    super('forbidden', 'cross-site-request', 'Cross-site request refused', detail);
  }
}

export class NotFoundError extends CounterpayError {
  constructor(what: string, id: string) {
    super('not_found', 'not-found', 'Not found', `no ${what} ${JSON.stringify(id)}`);
  }
}

export class VoucherNotOpenError extends CounterpayError {
  constructor(id: string, status: string, action = 'canceled') {
    super('conflict', 'voucher-not-open', 'The voucher is not open', `voucher ${id} is ${status}; only an open voucher can be ${action}`);
  }
}

export class IdempotencyInFlightError extends CounterpayError {
  constructor(key: string, retryAfterSeconds: number) {
    super(
      'conflict',
      'idempotency-key-in-use',
      'A request with this Idempotency-Key is still running',
      `a request with Idempotency-Key ${JSON.stringify(key)} is still being processed; retry in ${retryAfterSeconds} s`,
      undefined,
      retryAfterSeconds,
    );
  }
}

export class IdempotencyKeyReusedError extends CounterpayError {
  constructor(key: string) {
    super(
      'unprocessable',
      'idempotency-key-reused',
      'The Idempotency-Key was used with a different request',
      `Idempotency-Key ${JSON.stringify(key)} was first used with a different request body or endpoint`,
    );
  }
}

export class DatabaseUnavailableError extends CounterpayError {
  constructor() {
    super('unavailable', 'database-unavailable', 'The database is unavailable', 'the database did not answer; retry with the same Idempotency-Key');
  }
}

/** The disk holding the data is full: nothing was written; reads still work. */
export class StorageFullError extends CounterpayError {
  constructor() {
    super('unavailable', 'storage-full', 'Storage is full', "the disk holding Counterpay's data is full, so nothing was written; retry with the same Idempotency-Key");
  }
}

/** The code and the field keep the protocol's spelling (`enrollment-code-invalid`, `enrollment_code`: docs/till-protocol.md). */
export class EnrolmentCodeInvalidError extends CounterpayError {
  constructor(detail: string) {
    super('invalid', 'enrollment-code-invalid', 'The enrolment code is not valid', detail, [{ field: 'enrollment_code', message: detail }]);
  }
}

export class DeviceRevokedError extends CounterpayError {
  constructor(id: string) {
    super('forbidden', 'device-revoked', 'This till has been revoked', `till ${id} was revoked by the operator; enrol it again with a new code`);
  }
}

export class ConflictError extends CounterpayError {
  constructor(code: ProblemCode, detail: string) {
    super('conflict', code, 'The request conflicts with the current state', detail);
  }
}

export class RateLimitedError extends CounterpayError {
  constructor(what: string, retryAfterSeconds: number) {
    super('rate_limited', 'rate-limited', 'Too many requests', `too many ${what}; try again in ${retryAfterSeconds} s`, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

/**
 * The operator's command line is wrong: an unknown command, a missing or unexpected argument. Not
 * a fact about the data: the CLI prints the detail with its usage and exits 2 (every other failure
 * exits 1). Only the CLI throws it, and its detail may name the CLI's own flags.
 */
export class UsageError extends CounterpayError {
  constructor(detail: string) {
    super('invalid', 'usage', 'The command line is not valid', detail);
    this.name = 'UsageError';
  }
}

/**
 * A voucher e-mail or SMS that did not go out, and whether trying again later can help. The outbox
 * worker keeps a transient one for a later attempt and ends a permanent one with its detail
 * recorded (api/messages/delivery.ts).
 */
export class DeliveryError extends CounterpayError {
  constructor(
    detail: string,
    /**
     * true: retrying the same message cannot succeed (SMTP 550 no such user, the provider calls
     * the number invalid, no address to send to). false: it may succeed later (connection refused,
     * timeout, SMTP 4xx, HTTP 5xx or 429, delivery not configured yet).
     */
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(
      permanent ? 'unprocessable' : 'unavailable',
      permanent ? 'message-undeliverable' : 'delivery-deferred',
      permanent ? 'The message cannot be delivered' : 'The message could not be delivered yet',
      detail,
      undefined,
      undefined,
      options,
    );
    this.name = 'DeliveryError';
  }
}
