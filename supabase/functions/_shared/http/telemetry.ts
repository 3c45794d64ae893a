/**
 * Request telemetry: one {@link RequestMetric} per request, recorded in the
 * background after the response is final, so it adds no latency and a
 * failing sink never fails the request.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { LabEnv } from "./context.ts";
import { runInBackground } from "../background.ts";
import { timedSync } from "./server_timing.ts";

/** What is recorded for each request. */
export interface RequestMetric {
  /** Route pattern such as `/exports/:id`, or the path when no route matched. */
  route: string;
  method: string;
  statusCode: number;
  /** Whole milliseconds from entering this middleware to the final response. */
  latencyMs: number;
  userId: string | null;
  correlationId: string;
}

/** Options for {@link telemetry}. */
export interface TelemetryOptions {
  /** Persists one metric; errors are logged and swallowed. */
  record: (metric: RequestMetric) => Promise<void>;
}

/**
 * The route pattern that handled the request (`/exports/:id`), or the
 * request path when only middleware matched (404, preflight).
 * Middleware registered with `use` has method `ALL` and is skipped.
 *
 * @example
 * ```ts
 * app.get("/exports/:id", (c) => c.text(routePattern(c))); // "/exports/:id"
 * ```
 */
export function routePattern(c: Context): string {
  const endpoint = matchedRoutes(c).findLast((route) => route.method !== "ALL");
  return endpoint?.path ?? c.req.path;
}

/**
 * Middleware that records a {@link RequestMetric} for every request, with
 * the final status even when the handler threw (Hono's `onError` has run by
 * the time `next()` returns).
 *
 * @example
 * ```ts
 * app.use("*", telemetry({ record: (metric) => db.recordMetric(metric) }));
 * ```
 */
export function telemetry(
  options: TelemetryOptions,
): MiddlewareHandler<LabEnv> {
  const { record } = options;
  return async function telemetry(c, next) {
    const started = performance.now();
    let threw = false;
    try {
      await next();
    } catch (error) {
      threw = true;
      throw error;
    } finally {
      timedSync("telemetry", () => {
        const metric: RequestMetric = {
          route: routePattern(c),
          method: c.req.method,
          statusCode: threw ? 500 : c.res.status,
          latencyMs: Math.max(0, Math.round(performance.now() - started)),
          userId: c.get("caller")?.userId ?? null,
          correlationId: c.get("correlationId"),
        };
        runInBackground(() => record(metric), { label: "record request metric" });
      });
    }
  };
}
