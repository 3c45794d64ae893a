/**
 * The caller's background jobs (exports, ingests, batch runs, judge runs)
 * through the Data API: read them under RLS, ask to cancel one, and wait
 * for one to end with its progress as it goes.
 *
 * @module
 */
import { LabError, LabNotFoundError } from "./errors.ts";
import type { LabSupabaseClient } from "./reads.ts";
import { failure, type LabResult, success } from "./result.ts";
import { fromPostgrest } from "./rows.ts";

/** A job's life. */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** A job as its owner sees it. */
export interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  progress: {
    /** Steps in all; null while unknown. */
    total: number | null;
    done: number;
    skipped: number;
    skippedByReason: Record<string, number>;
  };
  attempts: number;
  maxAttempts: number;
  /** The last attempt's error, or why the job failed. */
  error: string | null;
  result: unknown;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Options of `jobs.list`. */
export interface ListJobsOptions {
  kind?: string;
  status?: JobStatus;
  /** Most rows, newest first (default 50). */
  limit?: number;
}

/** Options of `jobs.wait`. */
export interface WaitForJobOptions {
  /** Called with the job each time it is read while it runs. */
  onProgress?: (job: JobRow) => void;
  /** Milliseconds between reads (default 500). */
  intervalMs?: number;
  /** Give up (with a `timeout` error) after this many milliseconds (default 10 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const COLUMNS = "id, kind, status, progress_total, progress_done, progress_skipped, skipped_by_reason, " +
  "attempts, max_attempts, error, result, cancel_requested_at, created_at, started_at, finished_at";

interface Row {
  id: string;
  kind: string;
  status: string;
  progress_total: number | null;
  progress_done: number;
  progress_skipped: number;
  skipped_by_reason: unknown;
  attempts: number;
  max_attempts: number;
  error: string | null;
  result: unknown;
  cancel_requested_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function toJobRow(row: Row): JobRow {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as JobStatus,
    progress: {
      total: row.progress_total,
      done: row.progress_done,
      skipped: row.progress_skipped,
      skippedByReason: (row.skipped_by_reason ?? {}) as Record<string, number>,
    },
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    error: row.error,
    result: row.result,
    cancelRequested: row.cancel_requested_at !== null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

const FINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

function notFound(id: string): LabNotFoundError {
  return new LabNotFoundError(`Job not found: ${id}`, { code: "job_not_found", status: 404 });
}

/**
 * The jobs calls.
 *
 * @example
 * ```ts
 * const { data: job } = await lab.jobs.wait(jobId, { onProgress: (j) => console.log(j.progress.done) });
 * ```
 */
export function jobCalls(supabase: LabSupabaseClient) {
  async function get(id: string): Promise<LabResult<JobRow>> {
    const { data, error, status } = await supabase.from("jobs").select(COLUMNS).eq("id", id).maybeSingle();
    if (error) return failure(fromPostgrest(error, status));
    return data ? success(toJobRow(data as unknown as Row)) : failure(notFound(id));
  }

  return {
    /**
     * One of the caller's jobs.
     *
     * @example
     * ```ts
     * const { data } = await lab.jobs.get(id);
     * ```
     */
    get,
    /**
     * The caller's jobs, newest first.
     *
     * @example
     * ```ts
     * const { data } = await lab.jobs.list({ kind: "export", status: "running" });
     * ```
     */
    async list(options: ListJobsOptions = {}): Promise<LabResult<JobRow[]>> {
      let query = supabase.from("jobs").select(COLUMNS);
      if (options.kind) query = query.eq("kind", options.kind);
      if (options.status) query = query.eq("status", options.status);
      const { data, error, status } = await query
        .order("created_at", { ascending: false })
        .limit(options.limit ?? 50);
      if (error) return failure(fromPostgrest(error, status));
      return success((data as unknown as Row[]).map(toJobRow));
    },
    /**
     * Asks to cancel a job: it stops at its next checkpoint and whatever it
     * left (a half-written file) is removed. Resolves with the job as it is
     * now; `jobs.wait` shows it end as `cancelled`.
     *
     * @example
     * ```ts
     * await lab.jobs.cancel(id);
     * ```
     */
    async cancel(id: string): Promise<LabResult<JobRow>> {
      const { error, status } = await supabase.rpc("cancel_job", { p_job_id: id });
      if (error) {
        return failure(error.hint === "job_not_found" ? notFound(id) : fromPostgrest(error, status));
      }
      return await get(id);
    },
    /**
     * Resolves once the job has succeeded, failed or been cancelled (a
     * failed job is a successful read: look at `status` and `error`).
     *
     * @example
     * ```ts
     * const { data } = await lab.jobs.wait(id, { onProgress: ({ progress }) => bar.update(progress.done) });
     * ```
     */
    async wait(id: string, options: WaitForJobOptions = {}): Promise<LabResult<JobRow>> {
      const deadline = Date.now() + (options.timeoutMs ?? 600_000);
      for (;;) {
        const read = await get(id);
        if (read.error) return read;
        if (FINAL.has(read.data.status)) return read;
        options.onProgress?.(read.data);
        if (Date.now() >= deadline) {
          return failure(new LabError(`Job ${id} is still ${read.data.status}`, { code: "timeout", status: 0 }));
        }
        if (options.signal?.aborted) {
          return failure(new LabError("Waiting for the job was aborted", { code: "aborted", status: 0 }));
        }
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
      }
    },
  };
}
