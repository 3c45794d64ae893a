/**
 * The runs function: batch runs of a template version over a dataset
 * version, worked by jobs of the worker.
 *
 * - `POST /runs` `{ templateVersionId | template, datasetVersionId,
 *   calibrationId | parameters, responsesPerItem?, seed?, concurrency?,
 *   name? }` -> 202 `{ run, job }`: the run with one pending result per
 *   item and repeat, and the `batch_run` job working it (the job's id is
 *   the run's); 400 `missing_variables` naming every template variable the
 *   dataset lacks, 404 for anything not yours, 409 `dataset_not_ready`.
 * - `POST /runs/:id/resume` -> 202 `{ run, job }`: a failed or cancelled
 *   run back to running with only its failed results pending again, and a
 *   new job for it (or the one already working it); a completed run
 *   answers 200 with `job: null`.
 *
 * Runs and results are read (and a run cancelled) through the Data API;
 * the job's progress counts succeeded results as done, failed as skipped.
 *
 * @module
 */
import { z } from "zod";
import { requireUser } from "../_shared/auth/jwt.ts";
import type { DbCaller } from "../_shared/caller.ts";
import { MAX_SEED } from "../_shared/contracts/generate.ts";
import { createRunSchema, runIdParamsSchema } from "../_shared/contracts/runs.ts";
import { BATCH_RUN_KIND } from "../_shared/batch_runs/job.ts";
import { type BatchRun, createBatchRun, resumeRun } from "../_shared/batch_runs/store.ts";
import type { Database } from "../_shared/db/client.ts";
import { resolveTemplate } from "../_shared/db/templates.ts";
import { baseEnvSchema } from "../_shared/env.ts";
import { HttpError } from "../_shared/errors.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { parseJsonBody, parseParams } from "../_shared/http/validation.ts";
import { ensureJob } from "../_shared/jobs/ensure.ts";
import { jobEnvFields } from "../_shared/jobs/env.ts";
import { wakeWorker } from "../_shared/jobs/wake.ts";
import { seedFrom } from "../_shared/lab/parameter_design.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";

/** The environment of the runs function: the model a run calls, and the worker's key to wake it. */
export const runsEnvSchema = baseEnvSchema.extend({
  ...jobEnvFields,
  LAB_MODEL: z.string().min(1).max(200).default("gpt-4o"),
});

/** The parsed environment of the runs function. */
export type RunsEnv = z.infer<typeof runsEnvSchema>;

type CreateRun = z.output<typeof createRunSchema>;

/** The template version id and the parameters of a new run, from the request. */
async function runDesign(db: Database, caller: DbCaller, input: CreateRun) {
  if (input.templateVersionId) {
    return { versionId: input.templateVersionId, parameters: input.parameters };
  }
  const version = await resolveTemplate(db, caller, input.template!);
  const parameters = input.calibrationId
    ? undefined
    : input.parameters ?? version.defaultParameters ?? undefined;
  return { versionId: version.id, parameters };
}

/**
 * The runs Hono app.
 *
 * @example
 * Deno.serve(createRunsApp(runtime).fetch);
 */
export function createRunsApp(runtime: Runtime<RunsEnv>) {
  const { db, verifier, env } = runtime;
  const app = createFunctionApp("runs", runtime.appDeps);
  const auth = requireUser({ verifier });

  /** The run's job (a new one unless one is already working it). */
  const startRun = async (caller: DbCaller, run: BatchRun, jobId?: string) => {
    const job = await ensureJob(db, caller, {
      kind: BATCH_RUN_KIND,
      payload: { runId: run.id },
      id: jobId,
      total: run.total_results,
      rowKey: "runId",
      rowId: run.id,
    });
    wakeWorker(env);
    return job;
  };

  app.post("/", auth, async (c) => {
    const input = await parseJsonBody(c, createRunSchema, { maxBytes: env.LAB_MAX_BODY_BYTES });
    const design = await runDesign(db, c.var.caller, input);
    if (!input.calibrationId && !design.parameters) {
      throw new HttpError(
        400,
        "Cannot start the run: give a calibrationId or parameters (the template version has no default parameters)",
        { code: "parameters_required" },
      );
    }
    const run = await createBatchRun(db, c.var.caller, {
      template_version_id: design.versionId,
      dataset_version_id: input.datasetVersionId,
      calibration_id: input.calibrationId,
      parameters: design.parameters,
      responses_per_item: input.responsesPerItem,
      model: env.LAB_MODEL,
      seed: input.seed ?? seedFrom() % (MAX_SEED + 1),
      concurrency: input.concurrency,
      name: input.name,
    });
    // The first job of a run has the run's id, so `job:<run id>` follows it.
    return ok(c, { run, job: await startRun(c.var.caller, run, run.id) }, 202);
  });

  app.post("/:id/resume", auth, async (c) => {
    const { id } = parseParams(c, runIdParamsSchema);
    const run = await resumeRun(db, c.var.caller, id.toLowerCase());
    if (run.status === "completed") return ok(c, { run, job: null });
    return ok(c, { run, job: await startRun(c.var.caller, run) }, 202);
  });

  return app;
}

/** The runs function, for `startFunction`. */
export const runs: FunctionModule<RunsEnv> = {
  name: "runs",
  envSchema: runsEnvSchema,
  createApp: (runtime) => createRunsApp(runtime),
};
