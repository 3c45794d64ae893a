/**
 * Calling the lab's edge functions at `<url>/functions/v1/<name>` with an
 * injectable `fetch`: auth headers, the success/failure envelope, response
 * validation with the shared zod schemas, and error mapping to
 * {@link LabError}s. Never throws; resolves to a {@link FunctionResult}.
 *
 * @module
 */
import type { ErrorCode } from "../../supabase/functions/_shared/contracts/error_codes.ts";
import {
  CORRELATION_ID_HEADER,
  RETRY_AFTER_HEADER,
} from "../../supabase/functions/_shared/contracts/headers.ts";
import type { z } from "zod";
import { LabError, labErrorFor, LabNetworkError } from "./errors.ts";
import type { FunctionResult } from "./result.ts";

/** How the SDK reaches the functions. */
export interface FunctionsTransport {
  /** SUPABASE_URL, without a trailing slash. */
  url: string;
  /** The project's anon (publishable) key, sent as `apikey`. */
  anonKey: string;
  fetch: typeof fetch;
  /** The caller's access token, or null to call with the anon key. */
  accessToken: () => Promise<string | null>;
}

/** One function call. */
export interface InvokeRequest<T> {
  method: "GET" | "POST";
  /** Path after the function name, e.g. `/` or `/<id>`. */
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Validates (and types) the envelope's `data`. */
  schema: z.ZodType<T>;
  /** Sent as `x-correlation-id`; the server generates one otherwise. */
  correlationId?: string;
  /** Retry once, same headers, when the request failed on the network. */
  retryOnNetworkError?: boolean;
  signal?: AbortSignal;
}

/** Per-call options every function method accepts. */
export interface CallOptions {
  /** A UUID to tie this call to others in the audit trail. */
  correlationId?: string;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/**
 * Calls a lab function and maps the answer.
 *
 * @example
 * ```ts
 * const result = await invokeFunction(transport, "calibration", {
 *   method: "GET", query: { mode: "quick" }, schema: questionnaireResponseSchema,
 * });
 * ```
 */
export async function invokeFunction<T>(
  transport: FunctionsTransport,
  name: string,
  request: InvokeRequest<T>,
): Promise<FunctionResult<T>> {
  const url = new URL(`${transport.url}/functions/v1/${name}${request.path ?? ""}`);
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  const token = await transport.accessToken();
  const headers: Record<string, string> = {
    apikey: transport.anonKey,
    authorization: `Bearer ${token ?? transport.anonKey}`,
    accept: "application/json",
    ...(request.body === undefined ? {} : { "content-type": "application/json" }),
    ...(request.correlationId ? { [CORRELATION_ID_HEADER]: request.correlationId } : {}),
    ...request.headers,
  };
  const init: RequestInit = {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: request.signal,
  };
  const attempts = request.retryOnNetworkError ? 2 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    let response: Response;
    try {
      response = await transport.fetch(url.toString(), init);
    } catch (error) {
      lastError = error;
      if (request.signal?.aborted) break;
      continue;
    }
    return await readResponse(response, request.schema, request.correlationId ?? null);
  }
  const message = request.signal?.aborted
    ? `Request aborted: ${name}`
    : `Cannot reach the lab: ${describe(lastError)}`;
  const error = new LabNetworkError(message, {
    correlationId: request.correlationId ?? null,
    cause: lastError,
  });
  return { data: null, error, correlationId: request.correlationId ?? null };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The parts of the two envelopes the SDK reads. */
interface Envelope {
  success?: unknown;
  data?: unknown;
  error?: { code?: unknown; message?: unknown; details?: unknown };
  correlationId?: unknown;
  /** The gateway's own failures (`{"msg":"Invalid JWT"}`). */
  msg?: unknown;
  message?: unknown;
}

async function readResponse<T>(
  response: Response,
  schema: z.ZodType<T>,
  sentCorrelationId: string | null,
): Promise<FunctionResult<T>> {
  const text = await response.text();
  let body: Envelope | null = null;
  try {
    const parsed: unknown = text === "" ? null : JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Envelope;
  } catch {
    body = null;
  }
  const correlationId = (typeof body?.correlationId === "string" ? body.correlationId : null) ??
    response.headers.get(CORRELATION_ID_HEADER) ?? sentCorrelationId;

  if (response.ok && body?.success === true) {
    const parsed = schema.safeParse(body.data);
    if (parsed.success) return { data: parsed.data, error: null, correlationId };
    const error = new LabError(
      `Unexpected response from the lab: ${parsed.error.issues[0]?.message ?? "invalid data"}`,
      {
        code: "invalid_response",
        status: response.status,
        correlationId,
        details: parsed.error.issues,
      },
    );
    return { data: null, error, correlationId };
  }
  return { data: null, error: errorFromResponse(response, body, correlationId), correlationId };
}

function errorFromResponse(
  response: Response,
  body: Envelope | null,
  correlationId: string | null,
): LabError {
  const status = response.ok ? 502 : response.status;
  const served = body?.error;
  const code = typeof served?.code === "string" ? served.code : defaultCode(response.status);
  const message = typeof served?.message === "string"
    ? served.message
    : typeof body?.msg === "string"
    ? body.msg
    : typeof body?.message === "string"
    ? body.message
    : `Unexpected response from the lab: HTTP ${response.status}`;
  return labErrorFor(message, {
    code,
    status,
    correlationId,
    details: served?.details,
    retryAfterSeconds: retryAfter(response.headers.get(RETRY_AFTER_HEADER)),
  });
}

function defaultCode(status: number): ErrorCode {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 200 && status < 300) return "invalid_response";
  return status >= 500 ? "internal_error" : "bad_request";
}

/** `Retry-After` as whole seconds (delta-seconds or an HTTP date); null when absent or unreadable. */
export function retryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
