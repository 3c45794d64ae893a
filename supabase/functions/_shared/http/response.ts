/**
 * The two response envelopes of the lab. Every JSON response is built here.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { HttpError, HttpErrorJson } from "../errors.ts";

/** `{ success: true, data, correlationId }`. */
export interface SuccessBody<T> {
  success: true;
  data: T;
  correlationId: string;
}

/** `{ success: false, error: { code, message, details? }, correlationId }`. */
export interface FailureBody {
  success: false;
  error: HttpErrorJson;
  correlationId: string;
}

/** What the envelope needs of a Hono context, whatever the route's environment. */
export interface EnvelopeContext {
  json: Context["json"];
  var: { readonly correlationId: string };
}

/**
 * Responds with the success envelope.
 *
 * @example
 * ```ts
 * app.post("/", (c) => ok(c, { id: experiment.id }, 201));
 * ```
 */
export function ok<T>(
  c: EnvelopeContext,
  data: T,
  status: ContentfulStatusCode = 200,
): Response {
  const body: SuccessBody<T> = {
    success: true,
    data,
    correlationId: c.var.correlationId,
  };
  return c.json(body, status);
}

/**
 * The failure envelope for an {@link HttpError}; `error_handler.ts` renders it.
 *
 * @example
 * ```ts
 * failureBody(new HttpError(404, "Experiment not found"), id);
 * // { success: false, error: { code: "not_found", message: "Experiment not found" }, correlationId: id }
 * ```
 */
export function failureBody(
  error: HttpError,
  correlationId: string,
): FailureBody {
  return { success: false, error: error.toJSON(), correlationId };
}
