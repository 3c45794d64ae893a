/**
 * Idempotency keys for the calls that do expensive, non-repeatable work
 * (`generate`, `exports.create`). The SDK makes one per call unless the caller
 * brings their own, and reuses it when it retries a request that failed on the
 * network, so the server replays its stored answer instead of running twice.
 *
 * @module
 */
import { IDEMPOTENCY_KEY_HEADER } from "../../supabase/functions/_shared/contracts/headers.ts";
import type { CallOptions } from "./functions.ts";

/** Options of an idempotent call. */
export interface IdempotentCallOptions extends CallOptions {
  /**
   * The Idempotency-Key to send (1-255 visible ASCII characters). Reuse it to
   * retry a call yourself; a fresh UUID is generated when omitted.
   */
  idempotencyKey?: string;
}

/**
 * A new idempotency key (a random UUID).
 *
 * @example
 * ```ts
 * const key = newIdempotencyKey();
 * await lab.generate(request, { idempotencyKey: key });
 * await lab.generate(request, { idempotencyKey: key }); // replayed, not run again
 * ```
 */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * The headers for an idempotent call: the caller's key or a new one.
 *
 * @example
 * ```ts
 * idempotencyHeaders({}); // { "idempotency-key": "3b0c…" }
 * ```
 */
export function idempotencyHeaders(options: IdempotentCallOptions): Record<string, string> {
  return { [IDEMPOTENCY_KEY_HEADER]: options.idempotencyKey ?? newIdempotencyKey() };
}
