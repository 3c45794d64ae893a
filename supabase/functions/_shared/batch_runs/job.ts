/**
 * Batch runs as jobs of kind `batch_run`: each slice first releases what a
 * dead worker had claimed (the job's lease makes this slice the run's only
 * worker), then works the run with {@link executeBatchRun} until the
 * slice's budget is nearly spent, waiting for every call it started. The
 * job's progress is the run's: results that succeeded as done, failed ones
 * as skipped. Each result is recorded once while claimed, so a crash or a
 * resume never duplicates one. A run that ends with failed results fails
 * its job, naming them; `POST /runs/:id/resume` starts a new job that
 * retries only those.
 *
 * @module
 */
import type { Database } from "../db/client.ts";
import {
  type JobContext,
  JobFatalError,
  type JobHandler,
  type JobProgress,
} from "../jobs/handler.ts";
import { type LlmClient, optionalLlmClient, type OptionalModelEnv } from "../integrations/llm.ts";
import { executeBatchRun } from "./execute.ts";
import { type BatchRun, cancelRun, releaseClaims } from "./store.ts";

/** The kind of batch run jobs. */
export const BATCH_RUN_KIND = "batch_run";

/** What a `batch_run` job is created with. */
export interface BatchRunPayload {
  runId: string;
}

/** What the handler needs. */
export interface BatchRunJobDeps {
  db: Database;
  /** The model client, or null when the worker has no endpoint configured. */
  llm: LlmClient | null;
}

/** How often a slice saves its progress (and so sees a cancel) while it works. */
export const PROGRESS_EVERY_MS = 250;

/** Time kept back from a slice's budget for the calls in flight to come back and be recorded. */
export const SLICE_RESERVE_MS = 2_000;

function progressOf(run: BatchRun): Partial<JobProgress> {
  return {
    total: run.total_results,
    done: run.succeeded_count,
    skipped: run.failed_count,
    skippedByReason: run.failed_count > 0 ? { failed: run.failed_count } : {},
  };
}

/**
 * The handler of `batch_run` jobs.
 *
 * @example
 * const handlers = [batchRunJobHandler({ db, llm: llmClientFromEnv(env) })];
 */
export function batchRunJobHandler(deps: BatchRunJobDeps): JobHandler {
  const { db } = deps;
  const runOf = (context: { job: JobContext["job"] }) =>
    (context.job.payload as unknown as BatchRunPayload).runId;

  return {
    kind: BATCH_RUN_KIND,

    async runSlice(context) {
      if (!deps.llm) {
        throw new JobFatalError(
          "Cannot work a batch run: the worker has no model endpoint (OPENAI_API_KEY)",
        );
      }
      const runId = runOf(context);
      const { caller, budget } = context;
      await releaseClaims(db, caller, runId);
      let cancelRequested = false;
      let savedAt = Number.NEGATIVE_INFINITY;
      const run = await executeBatchRun({ db, llm: deps.llm }, caller, runId, {
        deadline: performance.now() + Math.max(0, budget.remainingMs() - SLICE_RESERVE_MS),
        // Progress is saved between claims (at most every PROGRESS_EVERY_MS): live, and a cancel is seen soon.
        shouldStop: async (progress) => {
          if (performance.now() - savedAt < PROGRESS_EVERY_MS) return false;
          savedAt = performance.now();
          const answer = await context.saveCheckpoint({ started: true }, progressOf(progress));
          cancelRequested = answer.cancelRequested;
          return cancelRequested;
        },
      });
      const answer = await context.saveCheckpoint({ started: true }, progressOf(run));
      cancelRequested ||= answer.cancelRequested;
      if (cancelRequested && (run.status === "running" || run.status === "pending")) {
        await cancelRun(db, caller, runId);
        return { kind: "cancelled" };
      }
      switch (run.status) {
        case "completed":
          return {
            kind: "succeeded",
            result: {
              runId,
              succeeded: run.succeeded_count,
              costUsd: Number(run.cost_usd),
              unpricedResults: run.unpriced_results,
            },
          };
        case "failed":
          throw new JobFatalError(run.error ?? "Some results failed: resume the run to retry them");
        case "cancelled":
          return { kind: "cancelled" };
        default:
          return { kind: "continue" };
      }
    },

    async cleanUp(context) {
      // A run must not stay running without a job; cancelled, it can be resumed.
      await cancelRun(db, context.caller, runOf(context));
    },
  };
}

/**
 * The handler as the worker builds it: the model client from the worker's
 * environment, or none (a run's job then fails saying so).
 *
 * @example
 * handlers.push(batchRunJobs(runtime.db, runtime.env));
 */
export function batchRunJobs(db: Database, env: OptionalModelEnv): JobHandler {
  return batchRunJobHandler({ db, llm: optionalLlmClient(env) });
}
