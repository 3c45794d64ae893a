/**
 * The system-metrics function (admins only).
 *
 * - `GET /system-metrics?window=hour|day|week` — per route and method:
 *   requests, p50/p95/p99 latency, counts per status class and the 5xx rate;
 *   per model: calls, failures and their codes. All three windows when
 *   `window` is omitted. Computed in SQL (figures.ts).
 * - `POST /system-metrics/rollup` — folds raw telemetry older than
 *   LAB_TELEMETRY_RETENTION_DAYS into per-minute rollups (rollup.ts); what
 *   a hosted project's cron job does on a schedule.
 *
 * @module
 */
import type { z } from "zod";
import { requireAdmin } from "../_shared/auth/admin.ts";
import { requireUser } from "../_shared/auth/jwt.ts";
import { metricWindowSchema, systemMetricsQuerySchema } from "../_shared/contracts/operations.ts";
import { baseEnvSchema, positiveInt } from "../_shared/env.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { parseQuery } from "../_shared/http/validation.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { readSystemMetrics } from "./figures.ts";
import { rollUpTelemetry } from "./rollup.ts";

/** The system-metrics environment: the base plus how long telemetry is kept. */
export const systemMetricsEnvSchema = baseEnvSchema.extend({
  LAB_TELEMETRY_RETENTION_DAYS: positiveInt(7),
  LAB_TELEMETRY_ROLLUP_RETENTION_DAYS: positiveInt(90),
});

/** The parsed environment of the system-metrics function. */
export type SystemMetricsEnv = z.infer<typeof systemMetricsEnvSchema>;

/**
 * The system-metrics Hono app.
 *
 * @example
 * Deno.serve(createSystemMetricsApp(runtime).fetch);
 */
export function createSystemMetricsApp(runtime: Runtime<SystemMetricsEnv>) {
  const { db, verifier, env } = runtime;
  const app = createFunctionApp("system-metrics", runtime.appDeps);
  const admins = [requireUser({ verifier }), requireAdmin()] as const;

  app.get("/", ...admins, async (c) => {
    const { window } = parseQuery(c, systemMetricsQuerySchema);
    const windows = window ? [window] : metricWindowSchema.options;
    c.header("cache-control", "no-store");
    return ok(c, await readSystemMetrics(db, c.var.caller, windows));
  });

  app.post("/rollup", ...admins, async (c) => {
    const result = await rollUpTelemetry(db, c.var.caller, {
      keepDays: env.LAB_TELEMETRY_RETENTION_DAYS,
      keepRollupDays: Math.max(
        env.LAB_TELEMETRY_ROLLUP_RETENTION_DAYS,
        env.LAB_TELEMETRY_RETENTION_DAYS,
      ),
    });
    return ok(c, result);
  });

  return app;
}

/** The system-metrics function, for `startFunction`. */
export const systemMetrics: FunctionModule<SystemMetricsEnv> = {
  name: "system-metrics",
  envSchema: systemMetricsEnvSchema,
  createApp: createSystemMetricsApp,
};
