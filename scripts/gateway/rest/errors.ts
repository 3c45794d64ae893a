/**
 * LOCAL STACK: the PostgREST stand-in's one error type and its rendering.
 * PostgREST answers every failure with `{code, details, hint, message}` and an
 * HTTP status derived from the SQLSTATE (docs.postgrest.org references/errors;
 * supabase.com/docs/guides/api/rest/postgrest-error-codes): `42501` is 401 for
 * an anonymous caller and 403 otherwise, `23505`/`23503` are 409, `42P01` and
 * the schema-cache misses are 404, other `22`/`23`/`42` classes are 400.
 *
 * @module
 */
import postgres from "postgres";

/** The body PostgREST answers with on failure. */
export interface RestErrorBody {
  code: string;
  details: string | null;
  hint: string | null;
  message: string;
}

/** A failure rendered as PostgREST's error body. */
export class RestError extends Error {
  /** HTTP status sent. */
  readonly status: number;
  /** SQLSTATE or `PGRSTnnn`. */
  readonly code: string;
  readonly details: string | null;
  readonly hint: string | null;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: string | null; hint?: string | null; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "RestError";
    this.status = status;
    this.code = code;
    this.details = options.details ?? null;
    this.hint = options.hint ?? null;
  }

  /** PostgREST's error body. */
  toJSON(): RestErrorBody {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** The PostgREST-side errors the stand-in raises, with PostgREST's codes. */
export const REST_ERRORS = {
  parse: (what: string, details: string) =>
    new RestError(400, "PGRST100", `"failed to parse ${what}"`, { details }),
  tableNotFound: (table: string) =>
    new RestError(
      404,
      "PGRST205",
      `Could not find the table 'public.${table}' in the schema cache`,
    ),
  columnNotFound: (table: string, column: string) =>
    new RestError(400, "42703", `column ${table}.${column} does not exist`),
  bodyColumnNotFound: (table: string, column: string) =>
    new RestError(
      400,
      "PGRST204",
      `Could not find the '${column}' column of '${table}' in the schema cache`,
    ),
  invalidBody: (details: string) =>
    new RestError(400, "PGRST102", "Empty or invalid json", { details }),
  /** Not PostgREST's own (it has no body cap): the stand-in's limit, like the API gateway's. */
  bodyTooLarge: (limit: number) =>
    new RestError(413, "PGRST102", "Request body is too large", {
      details: `The local stand-in accepts bodies of at most ${limit} bytes`,
    }),
  bodyTimeout: () =>
    new RestError(408, "PGRST102", "Request timeout", {
      details: "The request body stopped arriving",
    }),
  keysMismatch: () => new RestError(400, "PGRST102", "All object keys must match"),
  noRelationship: (parent: string, target: string) =>
    new RestError(
      400,
      "PGRST200",
      `Could not find a relationship between '${parent}' and '${target}' in the schema cache`,
      {
        details:
          `Searched for a foreign key relationship between '${parent}' and '${target}' in the schema 'public', but no matches were found.`,
      },
    ),
  ambiguousRelationship: (parent: string, target: string) =>
    new RestError(
      300,
      "PGRST201",
      `Could not embed because more than one relationship was found for '${parent}' and '${target}'`,
    ),
  functionNotFound: (name: string, args: string[]) =>
    new RestError(
      404,
      "PGRST202",
      `Could not find the function public.${name}${
        args.length ? `(${[...args].sort().join(", ")})` : " without parameters"
      } in the schema cache`,
      {
        details: `Searched for the function public.${name}${
          args.length ? ` with parameters ${[...args].sort().join(", ")}` : " without parameters"
        } or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      },
    ),
  rangeNotSatisfiable: (offset: number, total: number) =>
    new RestError(416, "PGRST103", "Requested range not satisfiable", {
      details: `An offset of ${offset} was requested, but there are only ${total} rows.`,
    }),
  noConflictTarget: (table: string) =>
    new RestError(
      400,
      "42P10",
      "there is no unique or exclusion constraint matching the ON CONFLICT specification",
      {
        details: `Table '${table}' has no primary key; pass on_conflict`,
      },
    ),
  invalidSchema: (schema: string) =>
    new RestError(406, "PGRST106", `Invalid schema: ${schema}`, {
      hint: "Only the following schemas are exposed: public",
    }),
  singular: (rows: number) =>
    new RestError(406, "PGRST116", "Cannot coerce the result to a single JSON object", {
      details: `The result contains ${rows} rows`,
    }),
  jwt: (message: string, cause?: unknown) =>
    new RestError(401, message.startsWith("JWS") ? "PGRST301" : "PGRST303", message, { cause }),
  unsupportedMethod: (method: string) =>
    new RestError(405, "PGRST117", `Unsupported HTTP method: ${method}`),
};

/** HTTP status for a SQLSTATE, following PostgREST's table. */
export function statusForSqlState(code: string, anonymous: boolean): number {
  if (code === "42501") return anonymous ? 401 : 403;
  if (code === "23505" || code === "23503") return 409;
  if (code === "42P01" || code === "42883") return 404;
  if (code === "25006") return 405;
  if (code === "P0001") return 400;
  if (code.startsWith("08") || code.startsWith("53")) return code === "53400" ? 500 : 503;
  if (code.startsWith("0L") || code.startsWith("0P") || code.startsWith("28")) return 403;
  if (code.startsWith("22") || code.startsWith("23") || code.startsWith("42")) return 400;
  return 500;
}

/** SQLSTATEs and postgres.js codes of a connection the server ended or that broke. */
const CONNECTION_LOSS = new Set([
  "57P01",
  "57P02",
  "57P03",
  "ECONNRESET",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CONNECTION_LOSS.has(code);
}

/**
 * Turns anything thrown while answering into a {@link RestError}; database
 * errors keep their SQLSTATE, message, detail and hint.
 */
export function toRestError(error: unknown, anonymous: boolean): RestError {
  if (error instanceof RestError) return error;
  if (isConnectionLoss(error)) {
    // PostgREST answers a lost database connection with 503 PGRST001 and reconnects.
    return new RestError(503, "PGRST001", "Database client error. Retrying the connection.", {
      cause: error,
    });
  }
  if (error instanceof postgres.PostgresError) {
    return new RestError(statusForSqlState(error.code, anonymous), error.code, error.message, {
      details: error.detail ?? null,
      hint: error.hint ?? null,
      cause: error,
    });
  }
  return new RestError(500, "PGRST000", "Internal error in the local PostgREST stand-in", {
    cause: error,
  });
}

/** The JSON response for a {@link RestError}. */
export function restErrorResponse(error: RestError): Response {
  return Response.json(error.toJSON(), {
    status: error.status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
