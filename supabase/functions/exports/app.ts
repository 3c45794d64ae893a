/**
 * The exports function: a user's experiments as CSV, JSON or a ZIP
 * reproducibility package, built with bounded memory, stored in the private
 * `exports` bucket with the caller's own JWT, handed out behind signed links.
 *
 * - `POST /exports` `{ format, selectedIds?, filter? }` (optional
 *   `Idempotency-Key`) — builds and stores the file; 201 with its signed URL.
 * - `GET /exports/:id` — the caller's export with a fresh signed URL; 404 for
 *   anyone else's.
 * - `POST /exports/arenas/:arenaId` — the owner's arena package (arena, arms,
 *   votes, judge verdicts, fitted rankings); 201 with its signed URL, 404 for
 *   anyone else.
 *
 * `pipeline.ts` is the life of one export, in stages: `read/` (the selection
 * and the COPYs out of Postgres), `assemble/` (CSV, JSON, ZIP bytes),
 * `store/` (streaming into Storage). Every file an export can hold is
 * declared once in `files/` (its name, columns or shape, and SQL).
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
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
import { baseEnvSchema, positiveInt } from "../_shared/env.ts";
import { idempotencyKeyFrom } from "../_shared/db/idempotency.ts";
import { ok } from "../_shared/http/response.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { type ObjectStorageFactory, userStorageFactory } from "../_shared/integrations/storage.ts";
import { parseJsonBody, parseParams } from "../_shared/http/validation.ts";
import type { Caller } from "../_shared/caller.ts";
import { exportArena } from "./arena_export.ts";
import type { ExportDeps } from "./deps.ts";
import { describeExport } from "./details.ts";
import { createExport } from "./pipeline.ts";

/** The bucket exports are stored in. */
export const EXPORTS_BUCKET = "exports";

/** The environment of the exports function. */
export const exportsEnvSchema = baseEnvSchema.extend({
  SUPABASE_ANON_KEY: z.string().min(1),
  LAB_EXPORT_URL_TTL_SECONDS: positiveInt(3600),
  LAB_EXPORT_MAX_EXPERIMENTS: positiveInt(100_000),
  /** The exports bucket's file_size_limit (500 MiB), which Storage does not enforce on chunked uploads. */
  LAB_EXPORT_MAX_BYTES: positiveInt(524_288_000),
});

/** The parsed environment of the exports function. */
export type ExportsEnv = z.infer<typeof exportsEnvSchema>;

/** Options for {@link createExportsApp}. */
export interface ExportsAppOptions {
  /** The bucket as each caller sees it; supabase-js with the caller's JWT by default. */
  storageFor?: ObjectStorageFactory;
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
  const app = createFunctionApp("exports", runtime.appDeps);
  const auth = requireUser({ verifier });

  /** The pipeline's dependencies and the caller, for this request. */
  function scope(c: Context<UserEnv>): { deps: ExportDeps; caller: Caller } {
    return {
      deps: { db, limits, storage: storageFor(bearerToken(c.req.header("authorization"))) },
      caller: c.var.caller,
    };
  }

  app.post("/", auth, async (c) => {
    const idempotencyKey = idempotencyKeyFrom(c.req.header(IDEMPOTENCY_KEY_HEADER));
    const input = await parseJsonBody(c, createExportSchema, { maxBytes: env.LAB_MAX_BODY_BYTES });
    const { deps, caller } = scope(c);
    const outcome = await createExport(deps, caller, input, { idempotencyKey });
    if (outcome.kind === "replay") c.header(IDEMPOTENT_REPLAYED_HEADER, "true");
    return ok(c, outcome.kind === "new" ? outcome.result : outcome.body, 201);
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
