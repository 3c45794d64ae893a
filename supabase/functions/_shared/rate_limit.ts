/**
 * Per-user rate limits in fixed windows, counted by the security-definer SQL
 * function `private.consume_rate_limit` inside the caller's transaction
 * (migration `20261122001100_rate_limits.sql`). A refused request is not
 * counted.
 *
 * @module
 */
import type { Tx } from "./db.ts";
import { HttpError } from "./errors.ts";

/** One limit: `limit` requests per `windowSeconds` for `scope`. */
export interface RateLimit {
  /** What is limited, e.g. `generate` (lowercase snake_case). */
  scope: string;
  /** Requests allowed per window, at least 1. */
  limit: number;
  /** Window length in seconds, at least 1. */
  windowSeconds: number;
}

/**
 * Counts one request of the caller; 0 when allowed, else the seconds until
 * the current window ends.
 *
 * @example
 * const wait = await consumeRateLimit(tx, { scope: "generate", limit: 30, windowSeconds: 60 });
 */
export async function consumeRateLimit(tx: Tx, rateLimit: RateLimit): Promise<number> {
  const [row] = await tx<{ wait: number }[]>`
    select private.consume_rate_limit(${rateLimit.scope}, ${rateLimit.limit}, ${rateLimit.windowSeconds}) as wait`;
  return row.wait;
}

/**
 * Counts one request of the caller, or throws `429 rate_limited` with a
 * `Retry-After` header when the caller has used up the window.
 *
 * @throws {HttpError} 429 `rate_limited`.
 *
 * @example
 * await enforceRateLimit(tx, { scope: "generate", limit: env.LAB_GENERATE_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 });
 */
export async function enforceRateLimit(tx: Tx, rateLimit: RateLimit): Promise<void> {
  const wait = await consumeRateLimit(tx, rateLimit);
  if (wait > 0) {
    throw new HttpError(
      429,
      `Too many requests: at most ${rateLimit.limit} per ${rateLimit.windowSeconds} seconds, try again in ${wait} seconds`,
      { code: "rate_limited", headers: { "retry-after": String(wait) } },
    );
  }
}
