/**
 * The one error hierarchy of the lab SDK. Every failure a method reports is a
 * {@link LabError} carrying the server's `code`, the HTTP `status` (0 when no
 * answer arrived), the request's `correlationId` and the server's `details`.
 * Subclasses let callers branch with `instanceof`; {@link isLabError} guards
 * unknown values.
 *
 * @module
 */
import type { ErrorCode } from "../../supabase/functions/_shared/contracts/error_codes.ts";

/**
 * A lab error code: one of {@link ErrorCode} (the server's and the SDK's
 * shared list), or a newer server's code this SDK does not know yet.
 */
export type LabErrorCode = ErrorCode | (string & Record<never, never>);

/** What every {@link LabError} is built from. */
export interface LabErrorInit {
  /** Stable snake_case code from the server (`validation_failed`, `rate_limited`, ...). */
  code: LabErrorCode;
  /** HTTP status; 0 when the request never got an answer. */
  status: number;
  /** The correlation id tying the request to its audit trail, when known. */
  correlationId?: string | null;
  /** JSON-safe detail from the server (e.g. validation issues). */
  details?: unknown;
  /** The underlying error, if any (never sent anywhere). */
  cause?: unknown;
}

/** The JSON form of a {@link LabError} (for logs and UIs). */
export interface LabErrorJson {
  name: string;
  code: LabErrorCode;
  status: number;
  message: string;
  correlationId: string | null;
  details?: unknown;
}

/**
 * A failed lab request.
 *
 * @example
 * ```ts
 * const { data, error } = await lab.generate({ prompt, calibration_id });
 * if (error) console.error(error.code, error.status, error.correlationId);
 * ```
 */
export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly status: number;
  readonly correlationId: string | null;
  readonly details?: unknown;

  constructor(message: string, init: LabErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "LabError";
    this.code = init.code;
    this.status = init.status;
    this.correlationId = init.correlationId ?? null;
    if (init.details !== undefined) this.details = init.details;
  }

  /**
   * A plain object for logging (no cause, no stack).
   *
   * @example
   * ```ts
   * console.log(JSON.stringify(error)); // {"name":"LabNotFoundError","code":"not_found",...}
   * ```
   */
  toJSON(): LabErrorJson {
    const json: LabErrorJson = {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      correlationId: this.correlationId,
    };
    if (this.details !== undefined) json.details = this.details;
    return json;
  }
}

/** 400: the request was malformed or failed validation (`details` lists the issues). */
export class LabValidationError extends LabError {
  constructor(message: string, init: LabErrorInit) {
    super(message, init);
    this.name = "LabValidationError";
  }
}

/** 401 or 403: missing, invalid or insufficient credentials. */
export class LabAuthError extends LabError {
  constructor(message: string, init: LabErrorInit) {
    super(message, init);
    this.name = "LabAuthError";
  }
}

/** 404: the resource does not exist or is not the caller's. */
export class LabNotFoundError extends LabError {
  constructor(message: string, init: LabErrorInit) {
    super(message, init);
    this.name = "LabNotFoundError";
  }
}

/** 409: e.g. an Idempotency-Key reused with another body, or still in progress. */
export class LabConflictError extends LabError {
  constructor(message: string, init: LabErrorInit) {
    super(message, init);
    this.name = "LabConflictError";
  }
}

/** 429: too many requests; retry after {@link LabRateLimitError.retryAfterSeconds}. */
export class LabRateLimitError extends LabError {
  /** From the `Retry-After` header; null when the server did not say. */
  readonly retryAfterSeconds: number | null;

  constructor(message: string, init: LabErrorInit & { retryAfterSeconds?: number | null }) {
    super(message, init);
    this.name = "LabRateLimitError";
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  override toJSON(): LabErrorJson & { retryAfterSeconds: number | null } {
    return { ...super.toJSON(), retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** 502 or 504: the model provider failed or timed out. */
export class LabUpstreamError extends LabError {
  constructor(message: string, init: LabErrorInit) {
    super(message, init);
    this.name = "LabUpstreamError";
  }
}

/** No answer: the request failed on the network (status 0, code `network_error`). */
export class LabNetworkError extends LabError {
  constructor(message: string, init: Omit<LabErrorInit, "code" | "status"> = {}) {
    super(message, { ...init, code: "network_error", status: 0 });
    this.name = "LabNetworkError";
  }
}

/**
 * Type guard for {@link LabError} and its subclasses.
 *
 * @example
 * ```ts
 * try { await something(); } catch (e) { if (isLabError(e)) console.log(e.code); }
 * ```
 */
export function isLabError(value: unknown): value is LabError {
  return value instanceof LabError;
}

/** Options for {@link labErrorFor}. */
export interface LabErrorForOptions extends LabErrorInit {
  /** Parsed `Retry-After`, for 429. */
  retryAfterSeconds?: number | null;
}

/**
 * The {@link LabError} subclass that fits an HTTP status.
 *
 * @example
 * ```ts
 * labErrorFor("Too many requests", { status: 429, code: "rate_limited", retryAfterSeconds: 30 });
 * ```
 */
export function labErrorFor(message: string, init: LabErrorForOptions): LabError {
  const { status } = init;
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return new LabValidationError(message, init);
  }
  if (status === 401 || status === 403) return new LabAuthError(message, init);
  if (status === 404 || status === 406) return new LabNotFoundError(message, init);
  if (status === 409) return new LabConflictError(message, init);
  if (status === 429) return new LabRateLimitError(message, init);
  if (status === 502 || status === 504) return new LabUpstreamError(message, init);
  return new LabError(message, init);
}
