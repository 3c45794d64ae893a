/**
 * Correlation id: accepted from `x-correlation-id` when it is a UUID (the
 * database column is `uuid`), otherwise generated; echoed on every response.
 *
 * @module
 */
import { CORRELATION_ID_HEADER } from "../contracts/headers.ts";
import type { MiddlewareHandler } from "hono";
import type { LabEnv } from "./context.ts";
import { uuidV7 } from "../uuid_v7.ts";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `value` is a UUID in the canonical 8-4-4-4-12 hex form.
 *
 * @example
 * ```ts
 * isUuid(crypto.randomUUID()); // true
 * ```
 */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_PATTERN.test(value);
}

/**
 * Middleware that sets `c.var.correlationId` and the `x-correlation-id`
 * response header (also on error, 404 and preflight responses).
 *
 * @example
 * ```ts
 * app.use("*", correlationId());
 * app.get("/x", (c) => c.text(c.var.correlationId));
 * ```
 */
export function correlationId(): MiddlewareHandler<LabEnv> {
  return async function correlationId(c, next) {
    const given = c.req.header(CORRELATION_ID_HEADER);
    const id = isUuid(given) ? given.toLowerCase() : uuidV7();
    c.set("correlationId", id);
    try {
      await next();
    } finally {
      c.header(CORRELATION_ID_HEADER, id);
    }
  };
}
