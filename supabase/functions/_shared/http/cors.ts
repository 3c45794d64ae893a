/**
 * CORS for browser callers. Preflights are answered here, before auth.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";
import {
  CORRELATION_ID_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  RETRY_AFTER_HEADER,
} from "../contracts/headers.ts";
import type { LabEnv } from "./context.ts";

/** Request headers a browser may send (supabase-js sends the first three). */
export const ALLOWED_HEADERS = [
  "authorization",
  "x-client-info",
  "apikey",
  "content-type",
  CORRELATION_ID_HEADER,
  IDEMPOTENCY_KEY_HEADER,
];

/** Response headers a browser may read. */
export const EXPOSED_HEADERS = [CORRELATION_ID_HEADER, RETRY_AFTER_HEADER];

/** Options for {@link cors}. */
export interface CorsOptions {
  /** `"*"` or exact origins such as `https://lab.example.com`. */
  allowedOrigins?: string[] | "*";
  /** Seconds a browser may cache a preflight; default 3600. */
  maxAgeSeconds?: number;
}

/**
 * Middleware that answers OPTIONS with 204 and adds CORS headers to the rest.
 *
 * @example
 * ```ts
 * app.use("*", cors({ allowedOrigins: env.LAB_ALLOWED_ORIGINS }));
 * ```
 */
export function cors(options: CorsOptions = {}): MiddlewareHandler<LabEnv> {
  const handler = honoCors({
    origin: options.allowedOrigins ?? "*",
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: options.maxAgeSeconds ?? 3600,
  });
  return async function cors(c, next) {
    return await handler(c, next);
  };
}
