/**
 * The datasets function: a CSV uploaded to the `datasets` bucket becomes a
 * new version of one of your datasets.
 *
 * - `POST /datasets/:id/versions` `{ path, delimiter?, columnMap? }` -> 201
 *   with the version after its ingest: status, saved and skipped counts, the
 *   skips by reason (each skipped line is in `dataset_skips`).
 * - `POST /datasets/versions/:versionId/ingest` -> resumes a version whose
 *   ingest failed, was cancelled or lost its worker, after its last stored
 *   line; a completed version answers as it is.
 *
 * The ingest runs within the request (`_shared/datasets/ingest.ts`), bounded
 * by the request's own limits; datasets, versions, items and skips are read
 * through the Data API.
 *
 * @module
 */
import { z } from "zod";
import { bearerToken, requireUser } from "../_shared/auth/jwt.ts";
import {
  createDatasetVersionSchema,
  datasetIdParamsSchema,
  datasetVersionParamsSchema,
} from "../_shared/contracts/datasets.ts";
import { ingestDatasetVersion } from "../_shared/datasets/ingest.ts";
import { createDatasetVersion } from "../_shared/datasets/store.ts";
import { baseEnvSchema } from "../_shared/env.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { parseJsonBody, parseParams } from "../_shared/http/validation.ts";
import { openObject } from "../_shared/integrations/object_download.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";

/** The bucket datasets are uploaded to. */
export const DATASETS_BUCKET = "datasets";

/** The environment of the datasets function. */
export const datasetsEnvSchema = baseEnvSchema.extend({ SUPABASE_ANON_KEY: z.string().min(1) });

/** The parsed environment of the datasets function. */
export type DatasetsEnv = z.infer<typeof datasetsEnvSchema>;

/** Options for {@link createDatasetsApp}. */
export interface DatasetsAppOptions {
  /** Opens a CSV as the caller with their token; Storage by default. */
  open?: (token: string, path: string) => Promise<ReadableStream<Uint8Array>>;
}

/**
 * The datasets Hono app.
 *
 * @example
 * Deno.serve(createDatasetsApp(runtime).fetch);
 */
export function createDatasetsApp(runtime: Runtime<DatasetsEnv>, options: DatasetsAppOptions = {}) {
  const { db, verifier, env } = runtime;
  const open = options.open ?? ((token: string, path: string) =>
    openObject({
      supabaseUrl: env.SUPABASE_URL,
      apiKey: env.SUPABASE_ANON_KEY,
      token,
      bucket: DATASETS_BUCKET,
    }, path));
  const app = createFunctionApp("datasets", runtime.appDeps);
  const auth = requireUser({ verifier });

  app.post("/:id/versions", auth, async (c) => {
    const { id } = parseParams(c, datasetIdParamsSchema);
    const input = await parseJsonBody(c, createDatasetVersionSchema, {
      maxBytes: env.LAB_MAX_BODY_BYTES,
    });
    const token = bearerToken(c.req.header("authorization"));
    const version = await createDatasetVersion(db, c.var.caller, {
      datasetId: id,
      sourcePath: input.path,
      delimiter: input.delimiter,
      columnMap: input.columnMap,
    });
    const done = await ingestDatasetVersion(
      { db, open: (path) => open(token, path) },
      c.var.caller,
      version.id,
    );
    return ok(c, done, 201);
  });

  app.post("/versions/:versionId/ingest", auth, async (c) => {
    const { versionId } = parseParams(c, datasetVersionParamsSchema);
    const token = bearerToken(c.req.header("authorization"));
    const done = await ingestDatasetVersion(
      { db, open: (path) => open(token, path) },
      c.var.caller,
      versionId,
    );
    return ok(c, done);
  });

  return app;
}

/** The datasets function, for `startFunction`. */
export const datasets: FunctionModule<DatasetsEnv> = {
  name: "datasets",
  envSchema: datasetsEnvSchema,
  createApp: (runtime) => createDatasetsApp(runtime),
};
