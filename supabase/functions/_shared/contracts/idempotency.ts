/**
 * The idempotency vocabulary both sides share: what a key may look like, and
 * what a call with one did (the same words `private.claim_idempotency_key`
 * answers with).
 *
 * @module
 */

/** Longest accepted Idempotency-Key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * True when `key` is a valid Idempotency-Key: 1-255 visible ASCII characters.
 *
 * @example
 * isIdempotencyKey(crypto.randomUUID()); // true
 * isIdempotencyKey("two words"); // false
 */
export function isIdempotencyKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key);
}

/** A call whose key was new (or unkeyed): the work ran, `result` is its answer. */
export interface NewOutcome<T> {
  kind: "new";
  result: T;
}

/** A call whose key had completed before: the stored answer, replayed without new work. */
export interface ReplayOutcome<T = unknown> {
  kind: "replay";
  status: number;
  body: T;
}

/** What an idempotent call did. */
export type IdempotencyOutcome<T, R = unknown> = NewOutcome<T> | ReplayOutcome<R>;
