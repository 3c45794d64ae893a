/**
 * JSON responses in the shapes OpenAI's API uses, built in one place.
 *
 * @module
 */

/** The `error` object of an OpenAI error body. */
export interface OpenAiErrorDetail {
  message: string;
  type: "invalid_request_error" | "rate_limit_error" | "server_error" | "not_found_error";
  param: string | null;
  code: string | null;
}

/**
 * A JSON response with the given status and extra headers.
 *
 * @example
 * ```ts
 * jsonResponse(200, { object: "list", data: [] });
 * ```
 */
export function jsonResponse(status: number, body: unknown, headers: HeadersInit = {}): Response {
  const merged = new Headers(headers);
  merged.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: merged });
}

/**
 * An OpenAI error response: `{ error: { message, type, param, code } }`.
 *
 * @example
 * ```ts
 * openAiError(400, { message: "Invalid 'n': only 1 is supported", param: "n" });
 * ```
 */
export function openAiError(
  status: number,
  detail: Pick<OpenAiErrorDetail, "message"> & Partial<OpenAiErrorDetail>,
  options: { headers?: HeadersInit } = {},
): Response {
  const error: OpenAiErrorDetail = {
    message: detail.message,
    type: detail.type ?? "invalid_request_error",
    param: detail.param ?? null,
    code: detail.code ?? null,
  };
  return jsonResponse(status, { error }, options.headers);
}
