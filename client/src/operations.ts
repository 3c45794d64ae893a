/**
 * The operations calls: liveness for anyone, and for admins readiness, the
 * system figures, the telemetry rollup and granting or revoking the admin
 * role. The server decides who may: a non-admin gets a 403 LabAuthError.
 *
 * @module
 */
import {
  type Liveness,
  livenessSchema,
  type MetricWindow,
  type Readiness,
  readinessSchema,
  type RollupResult,
  rollupResultSchema,
  type SystemMetrics,
  systemMetricsSchema,
} from "../../supabase/functions/_shared/contracts/operations.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import type { LabSupabaseClient } from "./reads.ts";
import { failure, type FunctionResult, type LabResult, success } from "./result.ts";
import { fromPostgrest } from "./rows.ts";

/**
 * Liveness: whether the functions answer. Needs no token.
 *
 * @example
 * ```ts
 * const { data } = await lab.health();
 * data?.status; // "ok"
 * ```
 */
export function healthCall(transport: FunctionsTransport) {
  return (options: CallOptions = {}): Promise<FunctionResult<Liveness>> =>
    invokeFunction(transport, "health", { method: "GET", schema: livenessSchema, ...options });
}

/**
 * The admin calls.
 *
 * @example
 * ```ts
 * const admin = adminCalls(transport, supabase);
 * const { data } = await admin.systemMetrics({ window: "hour" });
 * ```
 */
export function adminCalls(transport: FunctionsTransport, supabase: LabSupabaseClient) {
  async function changeRole(userId: string, grant: boolean): Promise<LabResult<null>> {
    const query = grant
      ? supabase.from("user_roles").insert({ user_id: userId, role: "admin" })
      : supabase.from("user_roles").delete().eq("user_id", userId).eq("role", "admin");
    const { error, status } = await query;
    return error ? failure(fromPostgrest(error, status)) : success(null);
  }

  return {
    /**
     * Readiness: database reachable and migrated, model endpoint and Storage
     * answering, the job backlog. Admins only.
     *
     * @example
     * ```ts
     * const { data } = await lab.admin.readiness();
     * if (data?.status !== "ready") console.warn(data?.checks);
     * ```
     */
    readiness(options: CallOptions = {}): Promise<FunctionResult<Readiness>> {
      return invokeFunction(transport, "health", {
        method: "GET",
        path: "/ready",
        schema: readinessSchema,
        ...options,
      });
    },

    /**
     * Latency percentiles, status classes and error rates per route, and
     * model failures, over the last hour, day and week (or one of them).
     *
     * @example
     * ```ts
     * const { data } = await lab.admin.systemMetrics({ window: "day" });
     * data?.windows[0].routes.forEach((r) => console.log(r.route, r.p95Ms, r.errorRate));
     * ```
     */
    systemMetrics(
      query: { window?: MetricWindow } = {},
      options: CallOptions = {},
    ): Promise<FunctionResult<SystemMetrics>> {
      return invokeFunction(transport, "system-metrics", {
        method: "GET",
        ...(query.window ? { query: { window: query.window } } : {}),
        schema: systemMetricsSchema,
        ...options,
      });
    },

    /**
     * Folds raw telemetry older than the retention window into per-minute
     * rollups now (a hosted project also runs it on a schedule).
     *
     * @example
     * ```ts
     * const { data } = await lab.admin.rollUpTelemetry();
     * console.log(`${data?.rolledUp} rows rolled up`);
     * ```
     */
    rollUpTelemetry(options: CallOptions = {}): Promise<FunctionResult<RollupResult>> {
      return invokeFunction(transport, "system-metrics", {
        method: "POST",
        path: "/rollup",
        schema: rollupResultSchema,
        ...options,
      });
    },

    /**
     * Makes a user an admin (their next token carries the role). Admins only; audited.
     *
     * @example
     * ```ts
     * const { error } = await lab.admin.grantAdmin(userId);
     * ```
     */
    grantAdmin: (userId: string) => changeRole(userId, true),

    /**
     * Takes the admin role away (tokens already issued keep it until they expire). Audited.
     *
     * @example
     * ```ts
     * await lab.admin.revokeAdmin(userId);
     * ```
     */
    revokeAdmin: (userId: string) => changeRole(userId, false),
  };
}
