/**
 * The exports function: a user's experiments as CSV, JSON or a ZIP
 * reproducibility package, built as a job of kind `export` in slices that
 * fit the hosted limits, stored in the private `exports` bucket, handed out
 * behind signed links.
 *
 * - `POST /exports` `{ format, selectedIds?, filter? }` (optional
 *   `Idempotency-Key`) — creates the export and its job and works it for up
 *   to LAB_EXPORT_INLINE_MS: 201 with its signed URL when it finished, else
 *   202 with the export and its job (`Prefer: respond-async`: always 202).
 * - `GET /exports/:id` — the caller's export with its job's status and
 *   progress, and a fresh signed URL once completed; 404 for anyone else's.
 * - `POST /exports/arenas/:arenaId` — the owner's arena package (arena, arms,
 *   votes, judge verdicts, fitted rankings), built within the request; 201
 *   with its signed URL, 404 for anyone else.
 *
 * `pipeline.ts` is the life of one export; `job/` the slices that build it:
 * `read/` (the selection, a page at a time), `assemble/` (CSV, JSON, ZIP
 * bytes, a segment per page). Every file an export can hold is declared
 * once in `files/` (its name, columns or shape, and SQL).
 *
 * @module
 */
import type { Context } from "hono";
import { bearerToken, requireUser } from "../_shared/auth/jwt.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import type { UserEnv } from "../_shared/http/context.ts";
import {
  arenaExportParamsSchema,
  createExportSchema,
  exportIdParamsSchema,
} from "../_shared/contracts/exports.ts";
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
} from "../_shared/contracts/headers.ts";
import { idempotencyKeyFrom } from "../_shared/db/idempotency.ts";
import { ok } from "../_shared/http/response.ts";
import type { ResumableUploads } from "../_shared/integrations/resumable_upload.ts";
import { runnerOptionsOf } from "../_shared/jobs/env.ts";
import { createJobRunner } from "../_shared/jobs/runner.ts";
import { wakeWorker } from "../_shared/jobs/wake.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import {
  type ObjectStorage,
  type ObjectStorageFactory,
  userStorageFactory,
} from "../_shared/integrations/storage.ts";
import { parseJsonBody, parseParams } from "../_shared/http/validation.ts";
import type { Caller } from "../_shared/caller.ts";
import { exportArena } from "./arena_export.ts";
import type { ExportDeps } from "./deps.ts";
import { describeExport } from "./details.ts";
import { type ExportsEnv, exportsEnvSchema } from "./env.ts";
import { exportJobDepsOf, exportJobHandler } from "./job/handler.ts";
import { EXPORTS_BUCKET } from "./jobs.ts";
import { createExport } from "./pipeline.ts";

export { type ExportsEnv, exportsEnvSchema };

/** Options for {@link createExportsApp}. */
export interface ExportsAppOptions {
  /** The bucket as each caller sees it; supabase-js with the caller's JWT by default. */
  storageFor?: ObjectStorageFactory;
  /** The bucket as export jobs write it (resumable uploads, links, removal); the service-role key's by default. */
  jobBucket?: { uploads: ResumableUploads; storage: ObjectStorage };
}

/** True when the request asks for an asynchronous answer (RFC 7240 `Prefer: respond-async`). */
function prefersAsync(header: string | undefined): boolean {
  return (header ?? "").split(",").some((p) => p.trim().toLowerCase() === "respond-async");
}

/**
 * The exports Hono app.
 *
 * @example
 * Deno.serve(createExportsApp(runtime).fetch);
 */
export function createExportsApp(runtime: Runtime<ExportsEnv>, options: ExportsAppOptions = {}) {
  const { db, verifier, env } = runtime;
  const storageFor = options.storageFor ?? userStorageFactory({
    supabaseUrl: env.SUPABASE_URL,
    anonKey: env.SUPABASE_ANON_KEY,
    bucket: EXPORTS_BUCKET,
  });
  const limits = {
    maxExperiments: env.LAB_EXPORT_MAX_EXPERIMENTS,
    urlTtlSeconds: env.LAB_EXPORT_URL_TTL_SECONDS,
    maxBytes: env.LAB_EXPORT_MAX_BYTES,
  };
  const jobDeps = exportJobDepsOf(db, env);
  const handler = exportJobHandler({ ...jobDeps, ...options.jobBucket });
  const jobs: ExportDeps["jobs"] = {
    runner: createJobRunner(db, [handler], runnerOptionsOf(env)),
    inline: { wallMs: env.LAB_EXPORT_INLINE_MS, cpuMs: env.LAB_EXPORT_INLINE_MS },
    wake: () => wakeWorker(env),
    failureOf: handler.failureOf,
  };
  const app = createFunctionApp("exports", runtime.appDeps);
  const auth = requireUser({ verifier });

  /** The pipeline's dependencies and the caller, for this request. */
  function scope(c: Context<UserEnv>): { deps: ExportDeps; caller: Caller } {
    return {
      deps: { db, limits, jobs, storage: storageFor(bearerToken(c.req.header("authorization"))) },
      caller: c.var.caller,
    };
  }

  app.post("/", auth, async (c) => {
    const idempotencyKey = idempotencyKeyFrom(c.req.header(IDEMPOTENCY_KEY_HEADER));
    const input = await parseJsonBody(c, createExportSchema, { maxBytes: env.LAB_MAX_BODY_BYTES });
    const { deps, caller } = scope(c);
    const respondAsync = prefersAsync(c.req.header("prefer"));
    const outcome = await createExport(deps, caller, input, { idempotencyKey, respondAsync });
    if (outcome.kind === "replay") {
      c.header(IDEMPOTENT_REPLAYED_HEADER, "true");
      return ok(c, outcome.body, outcome.status === 201 ? 201 : 202);
    }
    if (outcome.kind === "new") return ok(c, outcome.result, 201);
    c.header("preference-applied", "respond-async");
    return ok(c, outcome.details, 202);
  });

  app.post("/arenas/:arenaId", auth, async (c) => {
    const { arenaId } = parseParams(c, arenaExportParamsSchema);
    const { deps, caller } = scope(c);
    return ok(c, await exportArena(deps, caller, arenaId.toLowerCase()), 201);
  });

  app.get("/:id", auth, async (c) => {
    const { id } = parseParams(c, exportIdParamsSchema);
    const { deps, caller } = scope(c);
    return ok(c, await describeExport(deps, caller, id.toLowerCase()));
  });

  return app;
}

/** The exports function, for `startFunction`. */
export const exports: FunctionModule<ExportsEnv> = {
  name: "exports",
  envSchema: exportsEnvSchema,
  createApp: (runtime) => createExportsApp(runtime),
};
