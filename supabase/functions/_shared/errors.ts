/**
 * The one error type of the lab's edge functions. Anything that should become
 * a failure response throws an {@link HttpError}; `error_handler.ts` renders
 * it, in exactly one place.
 *
 * @module
 */
import type { ErrorCode } from "./contracts/error_codes.ts";

/** Default `code` for each status the lab uses. */
const DEFAULT_CODES: Readonly<Record<number, ErrorCode>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  500: "internal_error",
  502: "upstream_unavailable",
  503: "service_unavailable",
  504: "upstream_timeout",
};

/** Options for {@link HttpError}. */
export interface HttpErrorOptions {
  /** Stable snake_case code for clients; defaults from the status. */
  code?: ErrorCode;
  /** JSON-safe detail for the client (e.g. validation issues). Never secrets. */
  details?: unknown;
  /** Extra response headers, e.g. `{ "retry-after": "30" }`. */
  headers?: Record<string, string>;
  /** The underlying error; logged server-side, never sent to the client. */
  cause?: unknown;
}

/** The JSON a client sees for an {@link HttpError}. */
export interface HttpErrorJson {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * An error that maps to an HTTP failure response.
 *
 * @example
 * ```ts
 * throw new HttpError(429, "Too many requests: try again in 30 seconds", {
 *   headers: { "retry-after": "30" },
 * });
 * ```
 */
export class HttpError extends Error {
  /** HTTP status, 400–599. */
  readonly status: number;
  /** Stable snake_case code, e.g. `validation_failed`. */
  readonly code: ErrorCode;
  /** JSON-safe detail for the client, if any. */
  readonly details?: unknown;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  /**
   * @param status HTTP status between 400 and 599.
   * @param message Sentence-case message safe to show the client.
   * @param options code, details, headers and cause.
   */
  constructor(status: number, message: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(
        `Cannot create HttpError: status must be 400-599, got ${status}`,
      );
    }
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "HttpError";
    this.status = status;
    this.code = options.code ?? defaultCode(status);
    if (options.details !== undefined) this.details = options.details;
    this.headers = { ...options.headers };
  }

  /**
   * The client-facing shape: `{ code, message, details? }`.
   *
   * @example
   * ```ts
   * new HttpError(404, "Experiment not found").toJSON();
   * // { code: "not_found", message: "Experiment not found" }
   * ```
   */
  toJSON(): HttpErrorJson {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * The default code for a status: the lab's table, else `bad_request` for 4xx
 * and `internal_error` for 5xx.
 *
 * @example
 * ```ts
 * defaultCode(429); // "rate_limited"
 * ```
 */
export function defaultCode(status: number): ErrorCode {
  return DEFAULT_CODES[status] ??
    (status < 500 ? "bad_request" : "internal_error");
}

/**
 * Type guard for {@link HttpError}.
 *
 * @example
 * ```ts
 * if (isHttpError(error) && error.status === 404) return null;
 * ```
 */
export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}
