/**
 * The HTTP header names the lab's functions and its SDK agree on, in one
 * place so both sides always send and read the same ones.
 *
 * @module
 */

/** Request and response: the UUID tying a call to its audit trail. */
export const CORRELATION_ID_HEADER = "x-correlation-id";

/** Request: the client's key for a call that must not run twice. */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";

/** Response: `true` when the answer is the one stored for a repeated Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = "idempotent-replayed";

/** Response: how long to wait before retrying a 429 or 503. */
export const RETRY_AFTER_HEADER = "retry-after";
