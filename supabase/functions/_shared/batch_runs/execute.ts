/**
 * Works a batch run: claims pending results in item order, keeps up to the
 * run's concurrency of model calls in flight (the SDK retries 429s and 5xx
 * with backoff), records each outcome once, and finishes the run when
 * nothing is left. Every result is (item, repeat) with its own seed, so
 * repeats are independent calls and distinct rows; a result is recorded
 * only while it is claimed, so a retry, a resume or a second worker never
 * duplicates one. Bounded by a result count or a deadline, so a request or
 * a job slice can stop and a later one go on where it left off.
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import { MAX_SEED } from "../contracts/generate.ts";
import type { Database } from "../db/client.ts";
import type { LlmClient } from "../integrations/llm.ts";
import { designParameterSets } from "../lab/parameter_design.ts";
import { type ParameterSet, rangesFromColumns } from "../lab/parameters.ts";
import { toResponse } from "../lab/responses.ts";
import { renderTemplate } from "../lab/templates.ts";
import {
  type BatchRun,
  type ClaimedResult,
  claimResults,
  finishRun,
  recordResults,
  type ResultOutcome,
  type RunContext,
  runContext,
} from "./store.ts";

/** What working a run needs. */
export interface ExecuteDeps {
  db: Database;
  llm: LlmClient;
  /** How long a claim holds a result before another worker may take it. */
  leaseSeconds?: number;
}

/** When to stop claiming (results already claimed are finished and recorded). */
export interface ExecuteBounds {
  /** Most results to claim in this call. */
  maxResults?: number;
  /**
   * `performance.now()` after which nothing more is claimed; the first
   * claim is made whatever the time, so every call gets some work done.
   */
  deadline?: number;
  /**
   * Asked before every claim but the first, with the progress so far (a
   * job saves it as its own and learns whether its owner asked to cancel);
   * true stops the work there: the calls in flight are finished and
   * recorded, results claimed but not started stay claimed until released.
   */
  shouldStop?: (progress: BatchRun) => boolean | Promise<boolean>;
}

/** The seed of one call: the run's, offset by item line and repeat, kept in 0..2^31-1. */
export function callSeed(runSeed: number, lineNumber: number, repeat: number): number {
  return (runSeed + lineNumber * 10 + repeat) % (MAX_SEED + 1);
}

/**
 * The parameter set of one result: the run's explicit set, or the item's
 * Latin-hypercube design over the calibration's ranges (the same every time
 * it is computed, so a retried result uses the set it was meant to).
 */
export function resultParameters(context: RunContext, result: ClaimedResult): ParameterSet {
  const { run } = context;
  if (run.parameters) return run.parameters;
  const sets = designParameterSets(rangesFromColumns(context.ranges!), {
    count: run.responses_per_item,
    seed: callSeed(run.seed, result.lineNumber, 0),
  });
  return sets[result.repeat];
}

async function callOne(
  llm: LlmClient,
  context: RunContext,
  result: ClaimedResult,
): Promise<ResultOutcome> {
  const rendered = renderTemplate(context.template, result.values);
  const parameters = resultParameters(context, result);
  const outcome = await llm.complete({
    model: context.run.model,
    prompt: rendered.prompt,
    system: rendered.system ?? undefined,
    parameters,
    seed: callSeed(context.run.seed, result.lineNumber, result.repeat),
  });
  const response = toResponse(rendered.prompt, parameters, outcome, result.repeat);
  return {
    id: result.id,
    status: response.status,
    prompt: rendered.prompt,
    response,
    errorCode: response.status === "failed" ? response.error.code : null,
  };
}

/**
 * Works `runId` as `caller` until nothing is pending, a bound is reached or
 * the run stops running (cancelled), and resolves with the run's progress.
 *
 * @throws {HttpError} 404 `batch_run_not_found`.
 *
 * @example
 * const run = await executeBatchRun({ db, llm }, caller, runId, { deadline: performance.now() + 20_000 });
 * console.log(run.succeeded_count, "of", run.total_results);
 */
export async function executeBatchRun(
  deps: ExecuteDeps,
  caller: DbCaller,
  runId: string,
  bounds: ExecuteBounds = {},
): Promise<BatchRun> {
  const { db, llm } = deps;
  const context = await runContext(db, caller, runId);
  const concurrency = context.run.concurrency;
  const leaseSeconds = deps.leaseSeconds ?? 120;
  let budget = bounds.maxResults ?? Number.POSITIVE_INFINITY;
  let exhausted = false;
  let progress: BatchRun = context.run;
  const queue: ClaimedResult[] = [];
  const inFlight = new Set<Promise<void>>();
  let done: ResultOutcome[] = [];

  const flush = async () => {
    if (done.length === 0) return;
    const batch = done;
    done = [];
    progress = await recordResults(db, caller, runId, batch);
  };
  let claims = 0;
  const outOfTime = () =>
    claims > 0 && bounds.deadline !== undefined && performance.now() >= bounds.deadline;

  /** Starts claimed results while there is room: a freed slot never waits for the bookkeeping. */
  const fill = () => {
    while (inFlight.size < concurrency && queue.length > 0) {
      const result = queue.shift()!;
      const call: Promise<void> = callOne(llm, context, result)
        .then((outcome) => void done.push(outcome))
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
  };
  let stopped = false;
  const mayClaim = () =>
    !exhausted && !stopped && queue.length < concurrency && budget > 0 && !outOfTime();

  while (true) {
    if (mayClaim() && claims > 0 && bounds.shouldStop && await bounds.shouldStop(progress)) {
      stopped = true;
      queue.length = 0;
    }
    if (mayClaim()) {
      // Claimed ahead (up to twice the concurrency), so the slots stay full while this runs.
      const limit = Math.min(concurrency * 2 - queue.length, budget);
      const claimed = await claimResults(db, caller, runId, { limit, leaseSeconds });
      claims++;
      progress = claimed.run;
      if (claimed.results.length === 0) exhausted = true;
      budget -= claimed.results.length;
      queue.push(...claimed.results);
    }
    fill();
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
    fill();
    if (done.length >= concurrency) await flush();
  }
  await flush();
  return progress.status === "running" && exhausted ? await finishRun(db, caller, runId) : progress;
}
