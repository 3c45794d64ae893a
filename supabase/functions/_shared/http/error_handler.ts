/**
 * The error boundary: the only place an error becomes a response. Wired as
 * `app.onError(errorHandler(...))` and `app.notFound(notFoundHandler(...))`.
 *
 * @module
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { LabEnv } from "./context.ts";
import { runInBackground } from "../background.ts";
import { CORRELATION_ID_HEADER } from "../contracts/headers.ts";
import { HttpError, isHttpError } from "../errors.ts";
import { failureBody } from "./response.ts";
import { routePattern } from "./telemetry.ts";

/** A failed request, for the audit log. Never carries the body or headers. */
export interface FailureEvent {
  status: number;
  code: string;
  route: string;
  method: string;
  correlationId: string;
  userId: string | null;
}

/** Options for {@link errorHandler} and {@link notFoundHandler}. */
export interface ErrorHandlerOptions {
  /** Called in the background for every failure, e.g. to write an audit row. */
  onFailure?: (event: FailureEvent) => Promise<void>;
}

/**
 * Renders an {@link HttpError} with its status, headers and the failure
 * envelope; anything else becomes `500 internal_error` with nothing internal
 * in the response (the real error is logged with the correlation id).
 *
 * @example
 * ```ts
 * app.onError(errorHandler({ onFailure: (event) => audit.requestFailed(event) }));
 * ```
 */
export function errorHandler(
  options: ErrorHandlerOptions = {},
): ErrorHandler<LabEnv> {
  return function errorHandler(error, c) {
    return fail(c, toHttpError(error, correlationIdOf(c)), options);
  };
}

/**
 * Answers unmatched routes with `404 not_found` in the failure envelope.
 *
 * @example
 * ```ts
 * app.notFound(notFoundHandler());
 * ```
 */
export function notFoundHandler(
  options: ErrorHandlerOptions = {},
): NotFoundHandler<LabEnv> {
  return function notFoundHandler(c) {
    const error = new HttpError(
      404,
      `Route not found: ${c.req.method} ${c.req.path}`,
    );
    return fail(c, error, options);
  };
}

function fail(
  c: Context<LabEnv>,
  error: HttpError,
  options: ErrorHandlerOptions,
): Response {
  const correlationId = correlationIdOf(c);
  const { onFailure } = options;
  if (onFailure) {
    const event: FailureEvent = {
      status: error.status,
      code: error.code,
      route: routePattern(c),
      method: c.req.method,
      correlationId,
      userId: c.get("caller")?.userId ?? null,
    };
    runInBackground(() => onFailure(event), {
      label: "record request failure",
    });
  }
  const headers = { ...error.headers, [CORRELATION_ID_HEADER]: correlationId };
  return c.json(
    failureBody(error, correlationId),
    error.status as ContentfulStatusCode,
    headers,
  );
}

function toHttpError(error: Error, correlationId: string): HttpError {
  if (isHttpError(error)) {
    if (error.status >= 500) {
      logServerError(correlationId, error.cause ?? error);
    }
    return error;
  }
  if (error instanceof HTTPException && error.status < 500) {
    return new HttpError(error.status, error.message || "Request failed", {
      cause: error,
    });
  }
  logServerError(correlationId, error);
  return new HttpError(500, "Internal server error", { cause: error });
}

function logServerError(correlationId: string, error: unknown): void {
  console.error(`Request failed [${correlationId}]:`, error);
}

/** The request's correlation id; one is set if the middleware did not run. */
function correlationIdOf(c: Context<LabEnv>): string {
  const existing: string | undefined = c.get("correlationId");
  if (existing) return existing;
  const id = crypto.randomUUID();
  c.set("correlationId", id);
  return id;
}
