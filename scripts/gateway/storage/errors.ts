/**
 * LOCAL STACK: the Storage API stand-in's one error type, shaped like
 * supabase/storage's `StorageBackendError` (src/internal/errors/codes.ts) and
 * rendered the way its Fastify error handler does: the body carries the
 * "semantic" status as a string (`"404"`, `"409"`, ...) while the HTTP status
 * is 400 for every client error and 500 only for server errors.
 *
 * @module
 */
import postgres from "postgres";

/** The body Storage answers with on failure. */
export interface StorageErrorBody {
  statusCode: string;
  error: string;
  message: string;
  code: string;
}

/** A failure the stand-in renders as Storage's error body. */
export class StorageApiError extends Error {
  /** The status Storage reports inside the body. */
  readonly httpStatusCode: number;
  /** Storage's `ErrorCode` (e.g. `NoSuchKey`). */
  readonly code: string;
  /** The legacy `error` field (e.g. `not_found`); defaults to `code`. */
  readonly error: string;
  /** The HTTP status actually sent. */
  readonly status: number;

  constructor(
    httpStatusCode: number,
    code: string,
    message: string,
    options: { error?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "StorageApiError";
    this.httpStatusCode = httpStatusCode;
    this.code = code;
    this.error = options.error ?? code;
    this.status = options.status ?? (httpStatusCode === 500 ? 500 : 400);
  }

  /** The JSON body Storage sends, its keys in Storage's order. */
  toJSON(): StorageErrorBody {
    return {
      statusCode: String(this.httpStatusCode),
      error: this.error,
      message: this.message,
      code: this.code,
    };
  }
}

/** True for a {@link StorageApiError}. */
export function isStorageApiError(error: unknown): error is StorageApiError {
  return error instanceof StorageApiError;
}

/** The errors the stand-in raises, with Storage's codes and messages. */
export const STORAGE_ERRORS = {
  noSuchBucket: () =>
    new StorageApiError(404, "NoSuchBucket", "Bucket not found", { error: "Bucket not found" }),
  noSuchKey: () =>
    new StorageApiError(404, "NoSuchKey", "Object not found", { error: "not_found" }),
  accessDenied: (message: string, cause?: unknown) =>
    new StorageApiError(403, "AccessDenied", message || "Access denied", {
      error: "Unauthorized",
      cause,
    }),
  invalidJwt: (message: string) => new StorageApiError(400, "InvalidJWT", message || "Invalid JWT"),
  invalidSignature: () => new StorageApiError(400, "InvalidSignature", "Invalid signature"),
  alreadyExists: (cause?: unknown) =>
    new StorageApiError(409, "KeyAlreadyExists", "The resource already exists", {
      error: "Duplicate",
      cause,
    }),
  invalidMimeType: (mimeType: string) =>
    new StorageApiError(415, "InvalidMimeType", `mime type ${mimeType} is not supported`, {
      error: "invalid_mime_type",
    }),
  entityTooLarge: () =>
    new StorageApiError(413, "EntityTooLarge", "The object exceeded the maximum allowed size", {
      error: "Payload too large",
    }),
  invalidKey: (key: string) => new StorageApiError(400, "InvalidKey", `Invalid key: ${key}`),
  invalidBucketName: () =>
    new StorageApiError(400, "InvalidBucketName", "Bucket name invalid", {
      error: "Invalid Input",
    }),
  noContent: () => new StorageApiError(400, "InvalidRequest", "No content provided"),
  /** Fastify's schema validation failure (`body must have required property 'expiresIn'`). */
  validation: (message: string) =>
    new StorageApiError(400, "InvalidRequest", message, { error: "Error" }),
  /** A request without `Authorization`: Storage's header schema refuses it before any JWT check. */
  missingAuthorization: () =>
    new StorageApiError(
      400,
      "InvalidRequest",
      "headers must have required property 'authorization'",
      {
        error: "Error",
      },
    ),
  /** A JSON body over Fastify's 1 MiB default body limit. */
  bodyTooLarge: () =>
    new StorageApiError(413, "InvalidRequest", "Request body is too large", {
      error: "Payload Too Large",
      status: 413,
    }),
  /** A body that stopped arriving: Node's request timeout, answered as 408. */
  requestTimeout: () =>
    new StorageApiError(408, "InvalidRequest", "Request timeout", {
      error: "Request Timeout",
      status: 408,
    }),
  internal: (cause?: unknown) =>
    new StorageApiError(500, "InternalError", "Internal server error", { cause }),
  databaseUnavailable: (cause?: unknown) =>
    new StorageApiError(
      503,
      "DatabaseConnectionLimit",
      "The database is unavailable. Please try again later.",
      {
        status: 503,
        cause,
      },
    ),
};

/**
 * Maps a Postgres error the way Storage's `DBError.fromDBError` does:
 * 42501 (RLS or grant) -> AccessDenied, 23505 -> Duplicate, others -> 500.
 */
export function fromDatabaseError(error: unknown): StorageApiError {
  if (isStorageApiError(error)) return error;
  if (isConnectionFailure(error)) return STORAGE_ERRORS.databaseUnavailable(error);
  if (error instanceof postgres.PostgresError) {
    switch (error.code) {
      case "42501":
        return STORAGE_ERRORS.accessDenied(
          error.message.includes("row-level security")
            ? "new row violates row-level security policy"
            : error.message,
          error,
        );
      case "23505":
        return STORAGE_ERRORS.alreadyExists(error);
      case "23503":
        return new StorageApiError(404, "InvalidRequest", "The related resource does not exist", {
          cause: error,
        });
      case "22P02":
      case "22023":
        // A claim Postgres cannot read (a `sub` that is not a UUID in auth.uid()).
        return new StorageApiError(400, "InvalidJWT", "Invalid JWT claims", { cause: error });
      case "57014":
        return new StorageApiError(
          544,
          "DatabaseTimeout",
          "The connection to the database timed out",
          {
            status: 544,
            cause: error,
          },
        );
      default:
        return new StorageApiError(500, "DatabaseError", `database error, code: ${error.code}`, {
          cause: error,
        });
    }
  }
  return STORAGE_ERRORS.internal(error);
}

function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // EPIPE: a write reached a socket whose server end had already closed it (a
  // terminated backend's FIN arrived before the driver saw the close).
  if (typeof code === "string" && /^(ECONN|EPIPE$|CONNECT_TIMEOUT|CONNECTION_)/.test(code)) {
    return true;
  }
  // The server ended the session (terminated backend, shutdown, crash recovery): the connection is gone.
  if (error instanceof postgres.PostgresError && /^(57P0[123]|08)/.test(error.code)) return true;
  return error.name === "ConnectionRefused" || /connection refused/i.test(error.message);
}

/**
 * Renders any error as Storage's JSON error response. Unknown errors become
 * 500 without their message.
 */
export function storageErrorResponse(error: unknown): Response {
  const failure = fromDatabaseError(error);
  return storageJson(failure.toJSON(), failure.status);
}

/** A JSON answer with Storage's content-type. */
export function storageJson(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set("content-type", "application/json; charset=utf-8");
  return response;
}

/**
 * Fastify's own 404, which is not a Storage error: numeric `statusCode`, no
 * `code`. A preflight gets Storage's error shape with `InvalidRequest` and a
 * bare `application/json`, as recorded (R04, R05).
 */
export function routeNotFoundResponse(method: string, path: string): Response {
  const message = `Route ${method}:${path} not found`;
  if (method === "OPTIONS") {
    return Response.json(
      { statusCode: "404", error: "Not Found", message, code: "InvalidRequest" },
      { status: 404 },
    );
  }
  return storageJson({ message, error: "Not Found", statusCode: 404 }, 404);
}
