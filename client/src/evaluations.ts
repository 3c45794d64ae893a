/**
 * The evaluations function: ratings, review queues, LLM judges, agreement
 * and per-bin scores.
 *
 * @module
 */
import { z } from "zod";
import {
  type AgreementResult,
  agreementResultSchema,
  type CreateJudgeVersionRequest,
  type CreateQueueRequest,
  type JudgeRunOutcome,
  judgeRunOutcomeSchema,
  type JudgeRunRequest,
  type JudgeVersion,
  judgeVersionSchema,
  type RateResponseRequest,
  type Rating,
  ratingSchema,
  type ReviewItem,
  reviewItemSchema,
  type ReviewQueue,
  reviewQueueSchema,
  type ScoreBin,
  scoreBinSchema,
  type SubmitReviewRequest,
} from "../../supabase/functions/_shared/contracts/evaluations.ts";
import { LabError } from "./errors.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import type { JobRow, WaitForJobOptions } from "./jobs.ts";
import { failure, type FunctionResult, type LabResult } from "./result.ts";

/** Options of {@link evaluationCalls}' `runJudge`. */
export interface RunJudgeOptions extends CallOptions {
  /** Called with the job each time it is read while it runs (`progress.done` of `progress.total`). */
  onProgress?: (job: JobRow) => void;
  /** Milliseconds between reads of the job (default 500). */
  intervalMs?: number;
  /** Give up waiting (a `timeout` error; the run goes on) after this long (default 10 minutes). */
  timeoutMs?: number;
}

/** What `runJudge` needs of the jobs calls (`lab.jobs`). */
export interface JobWaiter {
  wait(id: string, options?: WaitForJobOptions): Promise<LabResult<JobRow>>;
}

/** The answer of `POST /judge-runs` (202): the job, as far as the SDK reads it. */
const judgeRunJobSchema = z.object({ id: z.uuid(), kind: z.literal("judge_run") });

/**
 * Calls of the evaluations function.
 *
 * @example
 * ```ts
 * const evaluations = evaluationCalls(transport);
 * await evaluations.rate({ experimentId, responseIndex: 0, configId, value: 5 });
 * ```
 */
export function evaluationCalls(transport: FunctionsTransport, jobs: JobWaiter) {
  const call = <T>(
    method: "GET" | "POST",
    path: string,
    schema: z.ZodType<T>,
    request: { body?: unknown; query?: Record<string, string> },
    options: CallOptions,
  ) => invokeFunction(transport, "evaluations", { method, path, schema, ...request, ...options });

  return {
    /**
     * Rates one of your responses on a score config (rating it again revises it).
     *
     * @example
     * ```ts
     * const { data, error } = await lab.evaluations.rate({ experimentId, responseIndex: 0, configId: realism, value: 6 });
     * if (error instanceof LabValidationError) console.log(error.message); // names the field
     * ```
     */
    rate(request: RateResponseRequest, options: CallOptions = {}): Promise<FunctionResult<Rating>> {
      return call("POST", "/ratings", ratingSchema, { body: request }, options);
    },

    /**
     * Shares responses with reviewers invited by email.
     *
     * @example
     * ```ts
     * const { data: queue } = await lab.evaluations.createQueue({ name: "Pass 1", configIds: [realism], reviewers: ["ana@example.com"], calibrationId });
     * ```
     */
    createQueue(
      request: CreateQueueRequest,
      options: CallOptions = {},
    ): Promise<FunctionResult<ReviewQueue>> {
      return call("POST", "/queues", reviewQueueSchema, { body: request }, options);
    },

    /**
     * As a reviewer: the next item of a queue, held for you under a lease; null when none is left.
     *
     * @example
     * ```ts
     * const { data: item } = await lab.evaluations.nextReviewItem(queueId);
     * ```
     */
    nextReviewItem(
      queueId: string,
      options: CallOptions = {},
    ): Promise<FunctionResult<ReviewItem | null>> {
      return call(
        "GET",
        `/queues/${encodeURIComponent(queueId)}/next`,
        reviewItemSchema.nullable(),
        {},
        options,
      );
    },

    /**
     * As a reviewer: your ratings of an item you hold (or rated before, to revise them).
     *
     * @example
     * ```ts
     * await lab.evaluations.submitReview(item.itemId, { ratings: [{ configId: realism, value: 4 }] });
     * ```
     */
    submitReview(
      itemId: string,
      request: SubmitReviewRequest,
      options: CallOptions = {},
    ): Promise<FunctionResult<Rating[]>> {
      return call(
        "POST",
        `/queues/items/${encodeURIComponent(itemId)}/ratings`,
        z.array(ratingSchema),
        { body: request },
        options,
      );
    },

    /**
     * Creates the next version of a judge (the first creates the judge).
     *
     * @example
     * ```ts
     * const { data: judge } = await lab.evaluations.createJudge({ name: "Strict", rubric: "Rate realism.", configId: realism });
     * ```
     */
    createJudge(
      request: CreateJudgeVersionRequest,
      options: CallOptions = {},
    ): Promise<FunctionResult<JudgeVersion>> {
      return call("POST", "/judges", judgeVersionSchema, { body: request }, options);
    },

    /**
     * Judges every response of the selection this version has not judged:
     * starts a `judge_run` job (the function answers 202 with it) and waits
     * for it (`lab.jobs.wait`), answering its outcome. Failed model calls are
     * counted in `failed` and left for a later run; a job that fails or is
     * cancelled is an error with its reason.
     *
     * @example
     * ```ts
     * const { data } = await lab.evaluations.runJudge({ judgeVersionId, calibrationId }, { onProgress: (job) => console.log(job.progress.done) });
     * ```
     */
    async runJudge(
      request: JudgeRunRequest,
      options: RunJudgeOptions = {},
    ): Promise<FunctionResult<JudgeRunOutcome>> {
      const { onProgress, intervalMs, timeoutMs, ...callOptions } = options;
      const started = await call(
        "POST",
        "/judge-runs",
        judgeRunJobSchema,
        { body: request },
        callOptions,
      );
      if (started.error) return started;
      const { correlationId } = started;
      const ended = await jobs.wait(started.data.id, {
        onProgress,
        intervalMs,
        timeoutMs,
        signal: callOptions.signal,
      });
      if (ended.error) return { ...ended, correlationId };
      const job = ended.data;
      const outcome = judgeRunOutcomeSchema.safeParse(job.result);
      if (job.status !== "succeeded" || !outcome.success) {
        const error = new LabError(`Judge run ${job.status}: ${job.error ?? "no outcome"}`, {
          code: job.status === "cancelled" ? "job_cancelled" : "job_failed",
          status: 0,
        });
        return { ...failure(error), correlationId };
      }
      return { data: outcome.data, error: null, correlationId };
    },

    /**
     * How far the judge agrees with people, and people with each other, on one config.
     *
     * @example
     * ```ts
     * const { data } = await lab.evaluations.agreement({ configId: realism, calibrationId });
     * console.log(data?.judgeVsHuman.weightedKappa, data?.humans.krippendorffAlpha);
     * ```
     */
    agreement(
      query: { configId: string; calibrationId?: string; judgeVersionId?: string },
      options: CallOptions = {},
    ): Promise<FunctionResult<AgreementResult>> {
      return call(
        "GET",
        "/agreement",
        agreementResultSchema,
        { query: definedOnly(query) },
        options,
      );
    },

    /**
     * Mean scores per bin of a sampling parameter across a calibration's range.
     *
     * @example
     * ```ts
     * const { data } = await lab.evaluations.bins({ calibrationId, parameter: "temperature", bins: 5 });
     * ```
     */
    bins(
      query: { calibrationId: string; parameter?: string; bins?: number },
      options: CallOptions = {},
    ): Promise<FunctionResult<ScoreBin[]>> {
      return call("GET", "/bins", z.array(scoreBinSchema), { query: definedOnly(query) }, options);
    },
  };
}

function definedOnly(query: Record<string, string | number | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]),
  );
}
