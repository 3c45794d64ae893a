/**
 * The exports function: build a CSV, JSON or ZIP export of the caller's
 * experiments, look it up again, and download its file through the signed URL.
 *
 * @module
 */
import {
  type CreateExportRequest,
  type ExportDetails,
  exportDetailsSchema,
  type ExportFormat,
  type ExportResult,
  exportResultSchema,
} from "../../supabase/functions/_shared/contracts/exports.ts";
import { z } from "zod";
import { LabError, labErrorFor, LabNetworkError } from "./errors.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import { idempotencyHeaders, type IdempotentCallOptions } from "./idempotency.ts";
import type { FunctionResult } from "./result.ts";

/** A downloaded export file. */
export interface ExportFile {
  id: string;
  format: ExportFormat;
  /** The response's Content-Type (text/csv, application/json, application/zip). */
  contentType: string | null;
  bytes: Uint8Array;
}

/** Options of `exports.create`. */
export interface CreateExportOptions extends IdempotentCallOptions {
  /**
   * Wait for the export to finish (default true): an export the function
   * could not finish within its request (202) is polled until it completes
   * or fails. With `false`, the first answer is returned as it is: the
   * finished export, or the export still being built with its job.
   */
  wait?: boolean;
  /** Ask the function to answer at once (`Prefer: respond-async`) instead of working the export first. */
  respondAsync?: boolean;
  /** Called with the export and its job's progress at every poll while waiting. */
  onProgress?: (details: ExportDetails) => void;
  /** Milliseconds between polls (default 500). */
  intervalMs?: number;
}

/** `POST /exports` answers the finished export (201) or the export being built (202). */
const createAnswerSchema = z.union([exportResultSchema, exportDetailsSchema]);

/** True for an answer that is the finished export. */
function isFinished(answer: ExportResult | ExportDetails): answer is ExportResult {
  return answer.status === "completed" && answer.url !== null;
}

/** Storage's failure body (`statusCode` is the semantic status, as a string). */
interface StorageFailure {
  statusCode?: unknown;
  error?: unknown;
  message?: unknown;
}

async function storageError(response: Response, correlationId: string | null): Promise<LabError> {
  let body: StorageFailure = {};
  try {
    body = await response.json() as StorageFailure;
  } catch {
    body = {};
  }
  const status = Number(body.statusCode) || response.status;
  const message = typeof body.message === "string"
    ? body.message
    : `Download failed: HTTP ${status}`;
  const code = typeof body.error === "string" ? body.error : "download_failed";
  return labErrorFor(`Cannot download export: ${message}`, { status, code, correlationId });
}

/**
 * Calls of the exports function.
 *
 * @example
 * ```ts
 * const exportsApi = exportCalls(transport);
 * const { data } = await exportsApi.create({ format: "zip" });
 * ```
 */
export function exportCalls(transport: FunctionsTransport) {
  function createExport(
    request: CreateExportRequest,
    options: CreateExportOptions & { wait: false },
  ): Promise<FunctionResult<ExportResult | ExportDetails>>;
  function createExport(
    request: CreateExportRequest,
    options?: CreateExportOptions,
  ): Promise<FunctionResult<ExportResult>>;
  async function createExport(
    request: CreateExportRequest,
    options: CreateExportOptions = {},
  ): Promise<FunctionResult<ExportResult | ExportDetails>> {
    const {
      idempotencyKey: _key,
      wait = true,
      onProgress,
      intervalMs = 500,
      respondAsync,
      ...call
    } = options;
    const created = await invokeFunction(transport, "exports", {
      method: "POST",
      body: request,
      headers: {
        ...idempotencyHeaders(options),
        ...(respondAsync ? { prefer: "respond-async" } : {}),
      },
      schema: createAnswerSchema,
      retryOnNetworkError: true,
      ...call,
    });
    if (created.error || !wait || isFinished(created.data)) return created;
    const { id } = created.data;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (call.signal?.aborted) {
        const error = new LabNetworkError("Request aborted: exports", {
          correlationId: created.correlationId,
        });
        return { data: null, error, correlationId: created.correlationId };
      }
      const seen = await get(id, call);
      if (seen.error) return seen;
      onProgress?.(seen.data);
      if (isFinished(seen.data)) {
        const { job: _job, error: _error, createdAt: _c, completedAt: _d, ...rest } = seen.data;
        return { ...seen, data: exportResultSchema.parse(rest) };
      }
      if (seen.data.status === "failed") {
        const error = labErrorFor(`Export failed: ${seen.data.error ?? "unknown reason"}`, {
          code: "export_failed",
          status: 409,
          correlationId: seen.correlationId,
          details: { job: seen.data.job },
        });
        return { data: null, error, correlationId: seen.correlationId };
      }
    }
  }

  /**
   * One of the caller's exports, with a fresh signed URL once completed;
   * `LabNotFoundError` for anyone else's.
   *
   * @example
   * ```ts
   * const { data } = await lab.exports.get(exportId);
   * console.log(data?.status, data?.url);
   * ```
   */
  function get(id: string, options: CallOptions = {}): Promise<FunctionResult<ExportDetails>> {
    return invokeFunction(transport, "exports", {
      method: "GET",
      path: `/${encodeURIComponent(id)}`,
      schema: exportDetailsSchema,
      ...options,
    });
  }

  return {
    /**
     * Builds and stores an export of the caller's experiments (all that are
     * not discarded, or `selectedIds`, or those matching `filter`). Sends an
     * Idempotency-Key (new unless given) and retries a network failure once
     * with it, so one call makes one export. A large export is built by the
     * lab's worker after the call answers (202): by default this waits for
     * it, reporting progress, and resolves with the finished export; a
     * failed or cancelled one is an error with code `export_failed`.
     *
     * @example
     * ```ts
     * const { data, error } = await lab.exports.create({ format: "zip" }, {
     *   onProgress: ({ job }) => console.log(job?.progress.done, "of", job?.progress.total),
     * });
     * console.log(data?.experimentCount, data?.byteSize, data?.url);
     * const queued = await lab.exports.create({ format: "csv" }, { wait: false }); // at once
     * ```
     */
    create: createExport,
    get,

    /**
     * Downloads a completed export's file (asks for a fresh signed URL first).
     * A pending, running or failed export is a `LabConflictError` with code
     * `export_not_ready`.
     *
     * @example
     * ```ts
     * const { data } = await lab.exports.download(exportId);
     * await Deno.writeFile(`export.${data!.format}`, data!.bytes);
     * ```
     */
    async download(id: string, options: CallOptions = {}): Promise<FunctionResult<ExportFile>> {
      const details = await get(id, options);
      if (details.error) return details;
      const { correlationId } = details;
      const job = details.data;
      if (job.status !== "completed" || job.url === null) {
        const error = labErrorFor(`Export not ready: status is ${job.status}`, {
          code: "export_not_ready",
          status: 409,
          correlationId,
          details: { status: job.status, error: job.error },
        });
        return { data: null, error, correlationId };
      }
      let response: Response;
      try {
        response = await transport.fetch(job.url, { signal: options.signal });
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        const error = new LabNetworkError(`Cannot download export: ${message}`, {
          correlationId,
          cause,
        });
        return { data: null, error, correlationId };
      }
      if (!response.ok) {
        return { data: null, error: await storageError(response, correlationId), correlationId };
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const file: ExportFile = {
        id: job.id,
        format: job.format,
        contentType: response.headers.get("content-type"),
        bytes,
      };
      return { data: file, error: null, correlationId };
    },
  };
}
