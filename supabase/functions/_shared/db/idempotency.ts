/**
 * Idempotency-Key support for POSTs that do expensive or non-repeatable work
 * (generate, exports), stored in `public.idempotency_keys` under the caller's
 * RLS. A key is claimed in the transaction that starts the work and completed
 * with the answer in the transaction that stores its result:
 *
 * - a new key (or an abandoned claim whose lock expired) -> run the work;
 * - same key, same body, completed -> replay the stored answer, no new work;
 * - same key, same body, still running -> 409 `idempotency_in_progress`;
 * - same key, another body -> 409 `idempotency_conflict`.
 *
 * @module
 */
import {
  isIdempotencyKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type ReplayOutcome,
} from "../contracts/idempotency.ts";
import type postgres from "postgres";
import type { Tx } from "./client.ts";
import { HttpError } from "../errors.ts";
import { rethrowSqlError } from "./sql_errors.ts";

/** What claiming a key decided. */
export type IdempotencyClaim = { kind: "new" } | ReplayOutcome;

/** Identifies one key of one operation. */
export interface IdempotencyKeyRef {
  /** The operation, e.g. `generate`. */
  scope: string;
  /** The client's Idempotency-Key header. */
  key: string;
}

/**
 * Reads and checks the Idempotency-Key header; undefined when absent.
 *
 * @example
 * const key = idempotencyKeyFrom(c.req.header("idempotency-key"));
 */
export function idempotencyKeyFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = header.trim();
  if (!isIdempotencyKey(key)) {
    throw new HttpError(
      400,
      `Invalid Idempotency-Key: use 1-${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`,
      {
        code: "invalid_idempotency_key",
      },
    );
  }
  return key;
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort((
            [a],
            [b],
          ) => (a < b ? -1 : a > b ? 1 : 0)),
        )
        : v,
  );
}

/**
 * SHA-256 (hex) of the canonical JSON of a request body.
 *
 * @example
 * await requestHash({ b: 1, a: 2 }) === await requestHash({ a: 2, b: 1 }); // true
 */
export async function requestHash(body: unknown): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(canonicalJson(body)),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Claims the key for this request inside `tx` (the caller's transaction),
 * with `private.claim_idempotency_key`, the one implementation of the rules
 * above (generate's first step calls it from SQL). Concurrent claims of one
 * key serialize on its primary key; a claim blocks retries for five minutes
 * unless completed or released.
 *
 * @throws {HttpError} 409 `idempotency_conflict` or `idempotency_in_progress`.
 *
 * @example
 * const claim = await claimIdempotencyKey(tx, { scope: "generate", key }, hash);
 * if (claim.kind === "replay") return replay(c, claim);
 */
export async function claimIdempotencyKey(
  tx: Tx,
  ref: IdempotencyKeyRef,
  hash: string,
): Promise<IdempotencyClaim> {
  const [row] = await tx<{ claim: IdempotencyClaim }[]>`
    select private.claim_idempotency_key(${ref.scope}, ${ref.key}, ${hash}) as claim`
    .catch(rethrowSqlError);
  return row.claim;
}

/**
 * Stores the answer for replays, in the transaction that stores the work,
 * with `private.complete_idempotency_key` (users cannot write the table).
 *
 * @example
 * await completeIdempotencyKey(tx, { scope: "generate", key }, { status: 200, body });
 */
export async function completeIdempotencyKey(
  tx: Tx,
  ref: IdempotencyKeyRef,
  answer: { status: number; body: unknown },
): Promise<void> {
  await tx`
    select private.complete_idempotency_key(${ref.scope}, ${ref.key}, ${answer.status},
                                            ${tx.json(answer.body as postgres.JSONValue)})`;
}

/**
 * Frees a claim after the work failed before anything was stored, so a retry
 * with the same key runs again instead of waiting for the lock to expire.
 *
 * @example
 * await db.withUser(ctx, (tx) => releaseIdempotencyKey(tx, { scope: "generate", key }));
 */
export async function releaseIdempotencyKey(tx: Tx, ref: IdempotencyKeyRef): Promise<void> {
  await tx`select private.release_idempotency_key(${ref.scope}, ${ref.key})`;
}
