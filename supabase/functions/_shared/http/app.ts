/**
 * The shape every lab function starts from: a Hono app under `/<name>` with
 * the shared pipeline, outer to inner: correlation id → telemetry → CORS,
 * and the error boundary (`onError`, `notFound`). Each function adds
 * `requireUser`, validation and its routes.
 *
 * @module
 */
import { Hono } from "hono";
import { correlationId } from "./correlation.ts";
import type { LabEnv } from "./context.ts";
import { cors } from "./cors.ts";
import { errorHandler, type FailureEvent, notFoundHandler } from "./error_handler.ts";
import { serverTiming } from "./server_timing.ts";
import { type RequestMetric, telemetry } from "./telemetry.ts";

/** What {@link createFunctionApp} needs from the outside (the database side). */
export interface FunctionAppDeps {
  /** `"*"` or exact origins (env `LAB_ALLOWED_ORIGINS`). */
  allowedOrigins: string[] | "*";
  /** Persists one request metric; runs in the background. */
  recordMetric: (metric: RequestMetric) => Promise<void>;
  /** Records a failed request (audit); runs in the background. */
  onFailure?: (event: FailureEvent) => Promise<void>;
  /** Send a `Server-Timing` header with each response's spans (env `LAB_SERVER_TIMING`). */
  serverTiming?: boolean;
}

const FUNCTION_NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * A Hono app for the function `name`, served at `/<name>` (Supabase strips
 * `/functions/v1`), with the shared pipeline installed.
 *
 * @example
 * ```ts
 * const app = createFunctionApp("generate", deps);
 * app.post("/", requireUser({ verifier }), async (c) => ok(c, await run(c)));
 * Deno.serve(app.fetch);
 * ```
 */
export function createFunctionApp(name: string, deps: FunctionAppDeps) {
  if (!FUNCTION_NAME.test(name)) {
    throw new Error(`Cannot create function app: invalid name "${name}"`);
  }
  const root = new Hono<LabEnv>();
  root.use("*", serverTiming({ enabled: deps.serverTiming ?? false }));
  root.use("*", correlationId());
  root.use("*", telemetry({ record: deps.recordMetric }));
  root.use("*", cors({ allowedOrigins: deps.allowedOrigins }));
  const app = root.basePath(`/${name}`);
  app.onError(errorHandler({ onFailure: deps.onFailure }));
  app.notFound(notFoundHandler({ onFailure: deps.onFailure }));
  return app;
}
