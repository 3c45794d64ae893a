/**
 * HTTP errors raised in SQL. The lab's SQL functions answer outcomes a
 * request must report (a missing calibration, a used-up rate limit, a reused
 * Idempotency-Key) with `private.raise_http_error`: SQLSTATE `LB` followed by
 * the status (`LB404`), the lab error code as the hint and response headers
 * as a JSON object in the detail. The statement is rolled back; this module
 * turns the error into the {@link HttpError} the function answers with.
 *
 * @module
 */
import { isErrorCode } from "../contracts/error_codes.ts";
import { HttpError } from "../errors.ts";

const LAB_SQLSTATE = /^LB([45]\d\d)$/;

/** The fields of a Postgres error this module reads. */
interface SqlErrorFields {
  code?: unknown;
  message?: unknown;
  hint?: unknown;
  detail?: unknown;
}

/**
 * The {@link HttpError} a lab SQL error stands for, or undefined for any other error.
 *
 * @example
 * const http = httpErrorFromSql(error); // LB404 'Calibration not found: …' -> HttpError 404 calibration_not_found
 * if (http) throw http;
 */
export function httpErrorFromSql(error: unknown): HttpError | undefined {
  if (!(error instanceof Error)) return undefined;
  const fields = error as SqlErrorFields;
  const match = typeof fields.code === "string" ? LAB_SQLSTATE.exec(fields.code) : null;
  if (!match) return undefined;
  return new HttpError(Number(match[1]), error.message, {
    code: isErrorCode(fields.hint) ? fields.hint : undefined,
    headers: headersFrom(fields.detail),
    cause: error,
  });
}

/** Rethrows a lab SQL error as its {@link HttpError}, any other error as it is. */
export function rethrowSqlError(error: unknown): never {
  throw httpErrorFromSql(error) ?? error;
}

function headersFrom(detail: unknown): Record<string, string> | undefined {
  if (typeof detail !== "string" || detail === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(detail);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed).filter(([, v]) => typeof v === "string");
    return entries.length ? Object.fromEntries(entries) as Record<string, string> : undefined;
  } catch {
    return undefined;
  }
}
