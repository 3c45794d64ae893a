/**
 * One `POST /generate` run, in two short transactions with the model calls
 * between them (a transaction is never held open across model calls):
 *
 * 1. as the user: claim the Idempotency-Key (a completed one replays its
 *    answer, no model calls), load the calibration under RLS (404 when it is
 *    missing or someone else's), count the request against the rate limit
 *    (429), audit `llm_request_started`; commit.
 * 2. the model calls, concurrently, each with the SDK's timeout and retries;
 *    every successful response scored.
 * 3. as the user: insert the experiment (the trigger updates the analytics
 *    and audits `analytics_updated`), audit `experiment_generated`, read the
 *    summary and complete the key with the answer; commit. When every call
 *    failed, the experiment is stored with status `failed`, the audit event is
 *    `llm_request_failed`, the key is released (a retry runs again) and the
 *    answer is `502 upstream_unavailable`.
 *
 * Within each transaction the statements that do not depend on each other
 * are issued together, so postgres.js pipelines them: step 1 is one round
 * trip after the key, step 3 one round trip for insert, audit and summary
 * (the experiment id is minted here, time-ordered, for that). The bench
 * (`npm run bench`) measures what this costs against a bare handler.
 *
 * If anything fails after the key was claimed, the claim is released (best
 * effort) so a retry is not blocked.
 *
 * @module
 */
import { recordAudit } from "../_shared/audit.ts";
import type {
  GenerateResult,
  UpstreamFailureDetails,
  ValidGenerateRequest,
} from "../_shared/contracts/generate.ts";
import type { Database } from "../_shared/db.ts";
import { HttpError } from "../_shared/errors.ts";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  type IdempotencyKeyRef,
  releaseIdempotencyKey,
  requestHash,
} from "../_shared/idempotency.ts";
import type { LlmClient } from "../_shared/llm.ts";
import type { ParameterRanges } from "../_shared/parameters.ts";
import { enforceRateLimit } from "../_shared/rate_limit.ts";
import { timed, timedSync } from "../_shared/server_timing.ts";
import { uuidV7 } from "../_shared/uuid_v7.ts";
import {
  callModel,
  experimentParameters,
  experimentSeed,
  experimentStatus,
  planParameters,
  toResponses,
} from "./experiment.ts";
import { insertExperiment, loadCalibrationRanges, readMetricsSummary } from "./store.ts";

/** The idempotency and rate-limit scope of this function. */
export const GENERATE_SCOPE = "generate";

/** What a run needs from the function. */
export interface RunDeps {
  db: Database;
  llm: LlmClient;
  model: string;
  /** Requests per user per minute. */
  ratePerMinute: number;
}

/** Who runs it, for `db.withUser`. */
export interface RunContext {
  claims: Record<string, unknown>;
  correlationId: string;
}

/** The answer: a fresh result, or the stored one replayed for an Idempotency-Key. */
export type RunAnswer =
  | { kind: "fresh"; result: GenerateResult }
  | { kind: "replay"; status: number; body: unknown };

/**
 * Runs one generation (see the module header).
 *
 * @throws {HttpError} 404 `calibration_not_found`, 409 idempotency, 429
 *   `rate_limited`, 502 `upstream_unavailable`, 503 `database_unavailable`.
 *
 * @example
 * const answer = await runGenerate(deps, { claims, correlationId }, { input, idempotencyKey });
 */
export async function runGenerate(
  deps: RunDeps,
  context: RunContext,
  request: { input: ValidGenerateRequest; idempotencyKey?: string },
): Promise<RunAnswer> {
  const { db, model } = deps;
  const { input } = request;
  const ref: IdempotencyKeyRef | undefined = request.idempotencyKey === undefined
    ? undefined
    : { scope: GENERATE_SCOPE, key: request.idempotencyKey };
  const hash = ref ? await requestHash(input) : "";
  const seed = experimentSeed(input.seed);

  const start = await timed("db.start", () =>
    db.withUser(context, async (tx) => {
      if (ref) {
        const claim = await claimIdempotencyKey(tx, ref, hash);
        if (claim.kind === "replay") return claim;
      }
      // Issued together, the three statements are pipelined on the transaction's
      // connection: one round trip. Any failure rolls all of them back; the
      // checks are reported in their order (a missing calibration before a limit).
      const [ranges, limited, audited] = await Promise.allSettled([
        loadCalibrationRanges(tx, input.calibration_id),
        enforceRateLimit(tx, {
          scope: GENERATE_SCOPE,
          limit: deps.ratePerMinute,
          windowSeconds: 60,
        }),
        recordAudit(tx, {
          type: "llm_request_started",
          data: {
            calibrationId: input.calibration_id,
            numResponses: input.numResponses,
            model,
            seed,
            design: input.parameters ? "explicit" : "latin-hypercube",
          },
        }),
      ]);
      if (ranges.status === "rejected") throw ranges.reason;
      if (!ranges.value) {
        throw new HttpError(404, `Calibration not found: ${input.calibration_id}`, {
          code: "calibration_not_found",
        });
      }
      if (limited.status === "rejected") throw limited.reason;
      if (audited.status === "rejected") throw audited.reason;
      return { kind: "start" as const, ranges: ranges.value };
    }));
  if (start.kind === "replay") return start;

  try {
    return {
      kind: "fresh",
      result: await generateAndStore(deps, context, { input, ref, seed, ranges: start.ranges }),
    };
  } catch (error) {
    if (ref) {
      await db.withUser(context, (tx) => releaseIdempotencyKey(tx, ref)).catch(() => {});
    }
    throw error;
  }
}

async function generateAndStore(
  deps: RunDeps,
  context: RunContext,
  run: {
    input: ValidGenerateRequest;
    ref?: IdempotencyKeyRef;
    seed: number;
    ranges: ParameterRanges;
  },
): Promise<GenerateResult> {
  const { db, llm, model } = deps;
  const { input, ref, seed } = run;
  const plan = planParameters(run.ranges, {
    count: input.numResponses,
    seed,
    explicit: input.parameters,
  });
  const outcome = await callModel(llm, { model, prompt: input.prompt, seed }, plan.sets);
  const responses = timedSync(
    "scoring",
    () => toResponses(input.prompt, plan.sets, outcome.results),
  );
  const status = experimentStatus(responses);
  const failed = responses.flatMap((r) =>
    r.status === "failed" ? [{ index: r.index, code: r.error.code }] : []
  );

  const stored = await timed("db.store", () =>
    db.withUser(context, async (tx) => {
      // The id is minted here (time-ordered, like the database's default) so the
      // insert, its audit event and the summary read go out together: one round trip.
      const experimentId = uuidV7();
      const inserted = insertExperiment(tx, {
        id: experimentId,
        calibrationId: input.calibration_id,
        prompt: input.prompt,
        model,
        parameters: experimentParameters({ model, seed }, plan),
        responses,
        status,
        latencyMs: outcome.latencyMs,
      });
      const summary = {
        experimentId,
        calibrationId: input.calibration_id,
        status,
        numResponses: responses.length,
        succeeded: responses.length - failed.length,
        failed: failed.length,
        model,
        seed,
        latencyMs: outcome.latencyMs,
      };
      if (status === "failed") {
        await Promise.all([
          inserted,
          recordAudit(tx, {
            type: "llm_request_failed",
            data: { ...summary, errors: failed },
          }),
        ]);
        if (ref) await releaseIdempotencyKey(tx, ref);
        return { kind: "failed" as const, experimentId };
      }
      const [, , analytics] = await Promise.all([
        inserted,
        recordAudit(tx, { type: "experiment_generated", data: summary }),
        readMetricsSummary(tx, input.calibration_id),
      ]);
      const result: GenerateResult = {
        experimentId,
        status,
        model,
        seed,
        design: plan.design,
        responses,
        latencyMs: outcome.latencyMs,
        analytics,
      };
      if (ref) await completeIdempotencyKey(tx, ref, { status: 200, body: result });
      return { kind: "stored" as const, result };
    }));

  if (stored.kind === "failed") {
    const details: UpstreamFailureDetails = { experimentId: stored.experimentId, errors: failed };
    throw new HttpError(
      502,
      `Cannot generate responses: all ${responses.length} model calls failed (${
        [...new Set(failed.map((f) => f.code))].join(", ")
      })`,
      { code: "upstream_unavailable", details },
    );
  }
  return stored.result;
}
