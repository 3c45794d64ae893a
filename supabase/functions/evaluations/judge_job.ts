/**
 * Judge runs as jobs of kind `judge_run`. `POST /evaluations/judge-runs`
 * creates the job in the owner's transaction (after checking the judge
 * version is theirs) and wakes the worker. Each slice takes the next few
 * responses of the selection this version has not judged, asks the model
 * outside any transaction, then stores the verdicts together with the job's
 * checkpoint, so a crash or a lost lease never stores a verdict twice or
 * loses one (and the (version, response) key refuses a second one anyway).
 * A call that fails stores nothing; its response is skipped for the rest of
 * the run (counted as skipped, `model_failed`) and a later run tries it
 * again. A batch whose every call fails is a failed attempt, retried with
 * the worker's backoff. The owner may cancel; the run stops after its batch.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type { JudgeRunOutcome, JudgeRunRequest } from "../_shared/contracts/evaluations.ts";
import type { Database } from "../_shared/db/client.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";
import { JobFatalError, type JobHandler, type JobJson } from "../_shared/jobs/handler.ts";
import { enqueueJob, type JobView, readJob } from "../_shared/jobs/queue.ts";
import {
  CONCURRENCY,
  countUnjudged,
  judgeResponses,
  type JudgeSelection,
  loadVersion,
  responseKey,
  storeVerdicts,
  unjudgedResponses,
} from "./judges.ts";

/** The job kind. */
export const JUDGE_RUN_KIND = "judge_run";

/** A judge run's checkpoint: its counts, and the responses whose calls failed in this run. */
interface JudgeRunCheckpoint {
  scored: number;
  unparsable: number;
  failed: string[];
}

/** Responses judged per batch: two rounds of concurrent calls, so a slice stops close to its budget. */
const BATCH = CONCURRENCY * 2;

/**
 * Creates the caller's judge run as a queued job (its total: the responses
 * not judged yet) and answers the job as they may read it.
 *
 * @throws {HttpError} 404 `judge_not_found` for a judge version the caller does not own.
 *
 * @example
 * const job = await startJudgeRun(db, caller, { judgeVersionId, calibrationId });
 * wakeWorker(env);
 */
export function startJudgeRun(
  db: Database,
  caller: DbCaller,
  input: JudgeRunRequest,
): Promise<JobView> {
  const selection: JudgeSelection = {
    judgeVersionId: input.judgeVersionId,
    experimentIds: input.experimentIds ?? null,
    calibrationId: input.calibrationId ?? null,
  };
  return db.withUser(caller, async (tx) => {
    await loadVersion(tx, selection.judgeVersionId);
    const total = await countUnjudged(tx, selection);
    const { id } = await enqueueJob(tx, {
      kind: JUDGE_RUN_KIND,
      payload: selection as unknown as JobJson,
      total,
    });
    return (await readJob(tx, id))!;
  });
}

/** The run's outcome so far, as the job's result. */
function outcomeOf(judgeVersionId: string, state: JudgeRunCheckpoint): JudgeRunOutcome {
  return {
    judgeVersionId,
    scored: state.scored,
    unparsable: state.unparsable,
    failed: state.failed.length,
  };
}

/**
 * The handler of `judge_run` jobs; `llm` null (no model configured for the
 * worker) fails each job at once with a clear error.
 *
 * @example
 * const handlers = [judgeRunJobHandler({ db, llm })];
 */
export function judgeRunJobHandler(deps: { db: Database; llm: LlmClient | null }): JobHandler {
  return {
    kind: JUDGE_RUN_KIND,
    async runSlice(context) {
      const { caller, budget } = context;
      const llm = deps.llm;
      if (!llm) {
        throw new JobFatalError(
          "Cannot judge: the worker has no model configured (OPENAI_API_KEY)",
        );
      }
      const selection = context.job.payload as unknown as JudgeSelection;
      let state = (context.job.checkpoint as unknown as JudgeRunCheckpoint | null) ??
        { scored: 0, unparsable: 0, failed: [] };
      const version = await deps.db.withUser(
        caller,
        (tx) => loadVersion(tx, selection.judgeVersionId),
      );
      // At least one batch per slice, so even a tiny budget makes progress.
      do {
        const batch = await deps.db.withUser(
          caller,
          (tx) => unjudgedResponses(tx, selection, { skip: state.failed, limit: BATCH }),
        );
        if (batch.length === 0) {
          return {
            kind: "succeeded",
            result: outcomeOf(selection.judgeVersionId, state) as unknown as JobJson,
          };
        }
        const verdicts = await judgeResponses(llm, version, batch);
        const failed = verdicts.filter((v) => v.status === "failed");
        if (failed.length === verdicts.length) {
          throw new Error(`Judge run: all ${failed.length} model calls of a batch failed`);
        }
        const next: JudgeRunCheckpoint = {
          scored: state.scored + verdicts.filter((v) => v.status === "scored").length,
          unparsable: state.unparsable + verdicts.filter((v) => v.status === "unparsable").length,
          failed: [...state.failed, ...failed.map(responseKey)],
        };
        const answer = await deps.db.withUser(caller, async (tx) => {
          await storeVerdicts(tx, selection.judgeVersionId, version, verdicts);
          return await context.checkpoint(tx, next as unknown as JobJson, {
            done: next.scored + next.unparsable,
            skipped: next.failed.length,
            skippedByReason: next.failed.length > 0 ? { model_failed: next.failed.length } : {},
          });
        });
        state = next;
        if (answer.cancelRequested) return { kind: "cancelled" };
      } while (!budget.exhausted());
      return { kind: "continue" };
    },
  };
}
