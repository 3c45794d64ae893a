/**
 * The datasets function: a CSV uploaded to the `datasets` bucket becomes a
 * new version of one of your datasets, ingested by a job of the worker.
 *
 * - `POST /datasets/:id/versions` `{ path, delimiter?, columnMap? }` -> 202
 *   `{ version, job }`: the new pending version and the `dataset_ingest`
 *   job that ingests it (the job's id is the version's). Follow the job
 *   (`lab.jobs.wait`, Realtime `job:<id>`): its progress counts saved rows
 *   as done and skipped rows per reason.
 * - `POST /datasets/versions/:versionId/ingest` -> 202 `{ version, job }`:
 *   resumes a version whose ingest failed or was cancelled after its last
 *   stored line (the job already working it, if there is one); a completed
 *   version answers 200 with `job: null`.
 *
 * Datasets, versions, items and skips are read through the Data API.
 *
 * @module
 */
import { z } from "zod";
import { requireUser } from "../_shared/auth/jwt.ts";
import type { DbCaller } from "../_shared/caller.ts";
import {
  createDatasetVersionSchema,
  datasetIdParamsSchema,
  datasetVersionParamsSchema,
  datasetVersionSchema,
} from "../_shared/contracts/datasets.ts";
import { DATASET_INGEST_KIND } from "../_shared/datasets/job.ts";
import { createDatasetVersion, type DatasetVersion } from "../_shared/datasets/store.ts";
import type { Database } from "../_shared/db/client.ts";
import { baseEnvSchema } from "../_shared/env.ts";
import { HttpError } from "../_shared/errors.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { parseJsonBody, parseParams } from "../_shared/http/validation.ts";
import { ensureJob } from "../_shared/jobs/ensure.ts";
import { jobEnvFields } from "../_shared/jobs/env.ts";
import { wakeWorker } from "../_shared/jobs/wake.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";

/** The environment of the datasets function (the service role key wakes the worker). */
export const datasetsEnvSchema = baseEnvSchema.extend(jobEnvFields);

/** The parsed environment of the datasets function. */
export type DatasetsEnv = z.infer<typeof datasetsEnvSchema>;

/** The caller's version as the Data API shows it; 404 when it is not theirs. */
async function readVersion(db: Database, caller: DbCaller, versionId: string) {
  const [found] = await db.withUser(caller, (tx) =>
    tx<{ row: DatasetVersion }[]>`
      select pg_catalog.to_jsonb(v) as row from public.dataset_versions as v where v.id = ${versionId}`);
  if (!found) {
    throw new HttpError(404, `Dataset version not found: ${versionId}`, {
      code: "dataset_version_not_found",
    });
  }
  return datasetVersionSchema.parse(found.row);
}

/**
 * The datasets Hono app.
 *
 * @example
 * Deno.serve(createDatasetsApp(runtime).fetch);
 */
export function createDatasetsApp(runtime: Runtime<DatasetsEnv>) {
  const { db, verifier, env } = runtime;
  const app = createFunctionApp("datasets", runtime.appDeps);
  const auth = requireUser({ verifier });

  /** The ingest job of the version (a new one unless one is already working it). */
  const startIngest = async (caller: DbCaller, versionId: string, jobId?: string) => {
    const job = await ensureJob(db, caller, {
      kind: DATASET_INGEST_KIND,
      payload: { versionId },
      id: jobId,
      rowKey: "versionId",
      rowId: versionId,
    });
    wakeWorker(env);
    return job;
  };

  app.post("/:id/versions", auth, async (c) => {
    const { id } = parseParams(c, datasetIdParamsSchema);
    const input = await parseJsonBody(c, createDatasetVersionSchema, {
      maxBytes: env.LAB_MAX_BODY_BYTES,
    });
    const created = await createDatasetVersion(db, c.var.caller, {
      datasetId: id,
      sourcePath: input.path,
      delimiter: input.delimiter,
      columnMap: input.columnMap,
    });
    // The first job of a version has the version's id, so `job:<version id>` follows it.
    const job = await startIngest(c.var.caller, created.id, created.id);
    return ok(c, { version: await readVersion(db, c.var.caller, created.id), job }, 202);
  });

  app.post("/versions/:versionId/ingest", auth, async (c) => {
    const { versionId } = parseParams(c, datasetVersionParamsSchema);
    const version = await readVersion(db, c.var.caller, versionId.toLowerCase());
    if (version.status === "completed") return ok(c, { version, job: null });
    const job = await startIngest(c.var.caller, version.id);
    return ok(c, { version, job }, 202);
  });

  return app;
}

/** The datasets function, for `startFunction`. */
export const datasets: FunctionModule<DatasetsEnv> = {
  name: "datasets",
  envSchema: datasetsEnvSchema,
  createApp: (runtime) => createDatasetsApp(runtime),
};
