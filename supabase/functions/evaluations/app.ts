/**
 * The evaluations function: scores from people and from judges, and how far
 * they agree.
 *
 * - `POST /evaluations/ratings` — the owner rates one of their responses; 201.
 * - `POST /evaluations/queues` — share responses with reviewers by email; 201.
 * - `GET  /evaluations/queues/:queueId/next` — a reviewer's next item (leased), or null.
 * - `POST /evaluations/queues/items/:itemId/ratings` — a reviewer rates an item; 201.
 * - `POST /evaluations/judges` — a new version of a judge; 201.
 * - `POST /evaluations/judge-runs` — judge what is not judged yet, as a `judge_run` job; 202.
 * - `GET  /evaluations/agreement?configId&calibrationId&judgeVersionId` — agreement figures.
 * - `GET  /evaluations/bins?calibrationId&parameter&bins` — mean scores per parameter bin.
 *
 * @module
 */
import { z } from "zod";
import { requireUser } from "../_shared/auth/jwt.ts";
import {
  agreementQuerySchema,
  binsQuerySchema,
  createJudgeVersionSchema,
  createQueueSchema,
  judgeRunSchema,
  rateResponseSchema,
  type ScoreBin,
  submitReviewSchema,
} from "../_shared/contracts/evaluations.ts";
import { modelEnvSchema } from "../_shared/env.ts";
import { jobEnvFields } from "../_shared/jobs/env.ts";
import { wakeWorker } from "../_shared/jobs/wake.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { parseJsonBody, parseParams, parseQuery } from "../_shared/http/validation.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { loadAgreement } from "./agreement_read.ts";
import { startJudgeRun } from "./judge_job.ts";
import { createJudgeVersion } from "./judges.ts";
import { createQueue, nextReviewItem, submitReview } from "./queues.ts";
import { rateResponse } from "./ratings.ts";

/** The evaluations function's environment: a model, and the worker's key to wake it for judge runs. */
export const evaluationsEnvSchema = modelEnvSchema.extend({
  SUPABASE_SERVICE_ROLE_KEY: jobEnvFields.SUPABASE_SERVICE_ROLE_KEY,
});

/** The parsed environment of the evaluations function. */
export type EvaluationsEnv = z.infer<typeof evaluationsEnvSchema>;

/**
 * The evaluations Hono app.
 *
 * @example
 * Deno.serve(createEvaluationsApp(runtime).fetch);
 */
export function createEvaluationsApp(runtime: Runtime<EvaluationsEnv>) {
  const { db, verifier, env } = runtime;
  const app = createFunctionApp("evaluations", runtime.appDeps);
  const auth = requireUser({ verifier });
  const body = { maxBytes: env.LAB_MAX_BODY_BYTES };

  app.post("/ratings", auth, async (c) => {
    const input = await parseJsonBody(c, rateResponseSchema, body);
    return ok(c, await rateResponse(db, c.var.caller, input), 201);
  });

  app.post("/queues", auth, async (c) => {
    const input = await parseJsonBody(c, createQueueSchema, body);
    return ok(c, await createQueue(db, c.var.caller, input), 201);
  });

  app.get("/queues/:queueId/next", auth, async (c) => {
    const { queueId } = parseParams(c, z.object({ queueId: z.uuid() }));
    return ok(c, await nextReviewItem(db, c.var.caller, queueId));
  });

  app.post("/queues/items/:itemId/ratings", auth, async (c) => {
    const { itemId } = parseParams(c, z.object({ itemId: z.uuid() }));
    const input = await parseJsonBody(c, submitReviewSchema, body);
    return ok(c, await submitReview(db, c.var.caller, itemId, input), 201);
  });

  app.post("/judges", auth, async (c) => {
    const input = await parseJsonBody(c, createJudgeVersionSchema, body);
    return ok(c, await createJudgeVersion(db, c.var.caller, input, env.LAB_MODEL), 201);
  });

  app.post("/judge-runs", auth, async (c) => {
    const input = await parseJsonBody(c, judgeRunSchema, body);
    const job = await startJudgeRun(db, c.var.caller, input);
    wakeWorker(env);
    return ok(c, job, 202);
  });

  app.get("/agreement", auth, async (c) => {
    const query = parseQuery(c, agreementQuerySchema);
    return ok(c, await loadAgreement(db, c.var.caller, query));
  });

  app.get("/bins", auth, async (c) => {
    const query = parseQuery(c, binsQuerySchema);
    const rows = await db.withUser(c.var.caller, (tx) =>
      tx<ScoreBin[]>`
        select bin, bin_from::float8 as "from", bin_to::float8 as "to", config_id as "configId", source,
               mean::float8 as mean, count::int as count
          from public.rating_bins(${query.calibrationId}, ${query.parameter}, ${query.bins})`);
    return ok(c, rows);
  });

  return app;
}

/** The evaluations function, for `startFunction`. */
export const evaluations: FunctionModule<EvaluationsEnv> = {
  name: "evaluations",
  envSchema: evaluationsEnvSchema,
  createApp: (runtime) => createEvaluationsApp(runtime),
};
