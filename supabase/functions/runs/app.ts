/**
 * The runs function: batch runs of a template version over a dataset
 * version.
 *
 * - `POST /runs` `{ templateVersionId | template, datasetVersionId,
 *   calibrationId | parameters, responsesPerItem?, seed?, concurrency?,
 *   name? }` -> 201 with the run and one pending result per item and repeat;
 *   400 `missing_variables` naming every template variable the dataset
 *   lacks, 404 for anything not yours, 409 `dataset_not_ready`.
 * - `POST /runs/:id/work` `{ maxResults? }` -> works the run for at most
 *   `LAB_RUN_SLICE_MS` (and `maxResults` results) and answers its progress;
 *   call again until the status is no longer `running`.
 * - `POST /runs/:id/resume` -> a failed or cancelled run back to running
 *   with only its failed results pending again.
 *
 * Runs and results are read (and a run cancelled) through the Data API.
 *
 * @module
 */
import { z } from "zod";
import { requireUser } from "../_shared/auth/jwt.ts";
import type { DbCaller } from "../_shared/caller.ts";
import { MAX_SEED } from "../_shared/contracts/generate.ts";
import { createRunSchema, runIdParamsSchema, workRunSchema } from "../_shared/contracts/runs.ts";
import { executeBatchRun } from "../_shared/batch_runs/execute.ts";
import { createBatchRun, resumeRun } from "../_shared/batch_runs/store.ts";
import type { Database } from "../_shared/db/client.ts";
import { resolveTemplate } from "../_shared/db/templates.ts";
import { modelEnvSchema, positiveInt } from "../_shared/env.ts";
import { HttpError } from "../_shared/errors.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { parseJsonBody, parseParams } from "../_shared/http/validation.ts";
import { type LlmClient, llmClientFromEnv } from "../_shared/integrations/llm.ts";
import { seedFrom } from "../_shared/lab/parameter_design.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";

/** The environment of the runs function: the model, and how long one work request may take. */
export const runsEnvSchema = modelEnvSchema.extend({ LAB_RUN_SLICE_MS: positiveInt(20_000) });

/** The parsed environment of the runs function. */
export type RunsEnv = z.infer<typeof runsEnvSchema>;

/** Options for {@link createRunsApp}. */
export interface RunsAppOptions {
  /** The model client; by default the `openai` SDK configured from the environment. */
  llm?: LlmClient;
}

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
export function createRunsApp(runtime: Runtime<RunsEnv>, options: RunsAppOptions = {}) {
  const { db, verifier, env } = runtime;
  const llm = options.llm ?? llmClientFromEnv(env);
  const app = createFunctionApp("runs", runtime.appDeps);
  const auth = requireUser({ verifier });

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
    return ok(c, run, 201);
  });

  app.post("/:id/work", auth, async (c) => {
    const { id } = parseParams(c, runIdParamsSchema);
    const input = await parseJsonBody(c, workRunSchema, { maxBytes: env.LAB_MAX_BODY_BYTES });
    const run = await executeBatchRun({ db, llm }, c.var.caller, id.toLowerCase(), {
      maxResults: input.maxResults,
      deadline: performance.now() + env.LAB_RUN_SLICE_MS,
    });
    return ok(c, run);
  });

  app.post("/:id/resume", auth, async (c) => {
    const { id } = parseParams(c, runIdParamsSchema);
    return ok(c, await resumeRun(db, c.var.caller, id.toLowerCase()));
  });

  return app;
}

/** The runs function, for `startFunction`. */
export const runs: FunctionModule<RunsEnv> = {
  name: "runs",
  envSchema: runsEnvSchema,
  createApp: (runtime) => createRunsApp(runtime),
};
