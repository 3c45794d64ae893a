/**
 * Results as `{ data, error }` unions, the way supabase-js reports them:
 * exactly one of the two is non-null.
 *
 * @module
 */
import type { LabError } from "./errors.ts";

/** A successful result. */
export interface LabSuccess<T> {
  data: T;
  error: null;
}

/** A failed result. */
export interface LabFailure {
  data: null;
  error: LabError;
}

/** What every SDK method resolves to; it never rejects. */
export type LabResult<T> = LabSuccess<T> | LabFailure;

/**
 * A successful result.
 *
 * @example
 * ```ts
 * return success(rows);
 * ```
 */
export function success<T>(data: T): LabSuccess<T> {
  return { data, error: null };
}

/**
 * A failed result.
 *
 * @example
 * ```ts
 * return failure(new LabNotFoundError("Experiment not found", { code: "not_found", status: 404 }));
 * ```
 */
export function failure(error: LabError): LabFailure {
  return { data: null, error };
}

/**
 * What a call to a lab function resolves to: a {@link LabResult} plus the
 * request's correlation id (from the response, or the one sent), which ties
 * the call to its audit events and telemetry.
 */
export type FunctionResult<T> = LabResult<T> & { correlationId: string | null };
