/**
 * The health function.
 *
 * - `GET /health` — liveness, no token needed: `{ status: "ok" }` whenever
 *   the function runs. Nothing else: no version, host or dependency.
 * - `GET /health/ready` — readiness, admins only: whether the database is
 *   reachable and migrated, the model endpoint and Storage answer, and the
 *   job backlog; each only as ok / failing / absent (see readiness.ts).
 *
 * The gateway does not verify tokens for this function (`verify_jwt =
 * false`, so liveness works without one); `/ready` verifies in code.
 *
 * @module
 */
import { z } from "zod";
import { requireAdmin } from "../_shared/auth/admin.ts";
import { bearerToken, requireUser } from "../_shared/auth/jwt.ts";
import type { Liveness } from "../_shared/contracts/operations.ts";
import { baseEnvSchema, positiveInt } from "../_shared/env.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { modelEndpointProbe, type Probe, storageProbe } from "../_shared/integrations/probes.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { checkReadiness } from "./readiness.ts";

/** The health function's environment: the base, the model endpoint (optional) and a time limit. */
export const healthEnvSchema = baseEnvSchema.extend({
  SUPABASE_ANON_KEY: z.string().min(1),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ error: "must be an http(s) URL", protocol: /^https?$/ }).optional(),
  LAB_HEALTH_TIMEOUT_MS: positiveInt(3_000),
});

/** The parsed environment of the health function. */
export type HealthEnv = z.infer<typeof healthEnvSchema>;

/** Options of {@link createHealthApp}: probes to use instead of the real ones (tests). */
export interface HealthAppOptions {
  model?: Probe | null;
  storage?: (accessToken: string) => Probe;
}

/**
 * The health Hono app.
 *
 * @example
 * Deno.serve(createHealthApp(runtime).fetch);
 */
export function createHealthApp(runtime: Runtime<HealthEnv>, options: HealthAppOptions = {}) {
  const { db, verifier, env } = runtime;
  const timeoutMs = env.LAB_HEALTH_TIMEOUT_MS;
  const model = options.model !== undefined
    ? options.model ?? undefined
    : env.OPENAI_API_KEY
    ? modelEndpointProbe({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, timeoutMs })
    : undefined;
  const storageFor = options.storage ??
    ((accessToken: string) =>
      storageProbe({
        supabaseUrl: env.SUPABASE_URL,
        anonKey: env.SUPABASE_ANON_KEY,
        accessToken,
        timeoutMs,
      }));
  const app = createFunctionApp("health", runtime.appDeps);

  app.get("/", (c) => ok<Liveness>(c, { status: "ok" }));

  app.get("/ready", requireUser({ verifier }), requireAdmin(), async (c) => {
    const storage = storageFor(bearerToken(c.req.header("authorization")));
    const answer = await checkReadiness({ db, model, storage, timeoutMs });
    c.header("cache-control", "no-store");
    return ok(c, answer);
  });

  return app;
}

/** The health function, for `startFunction`. */
export const health: FunctionModule<HealthEnv> = {
  name: "health",
  envSchema: healthEnvSchema,
  createApp: (runtime) => createHealthApp(runtime),
};
