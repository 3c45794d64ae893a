/**
 * The figures of `GET /system-metrics`, read as the admin (so RLS decides,
 * as for any reader) from the SQL that computes them: per route and method
 * `private.route_latency_stats` (exact percentiles over raw rows and
 * rollups), per model `private.model_call_stats`, per job kind
 * `private.job_stats`.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import {
  type JobMetrics,
  METRIC_WINDOWS,
  type MetricWindow,
  type ModelMetrics,
  type RouteMetrics,
  type SystemMetrics,
  type WindowMetrics,
} from "../_shared/contracts/operations.ts";
import type { Database, Tx } from "../_shared/db/client.ts";

interface RouteRow {
  route: string;
  method: string;
  requests: string;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  status_2xx: string;
  status_3xx: string;
  status_4xx: string;
  status_5xx: string;
  error_rate: number;
}

interface ModelRow {
  model: string;
  calls: string;
  failed: string;
  error_rate: number;
  failures_by_code: Record<string, number>;
}

interface JobRow {
  kind: string;
  succeeded: string;
  failed: string;
  cancelled: string;
  failure_rate: number;
  p50_seconds: number | null;
  p95_seconds: number | null;
  queued: string;
  running: string;
}

function toJobMetrics(row: JobRow): JobMetrics {
  return {
    kind: row.kind,
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    failureRate: row.failure_rate,
    p50Seconds: row.p50_seconds,
    p95Seconds: row.p95_seconds,
    queued: Number(row.queued),
    running: Number(row.running),
  };
}

function toRouteMetrics(row: RouteRow): RouteMetrics {
  return {
    route: row.route,
    method: row.method,
    requests: Number(row.requests),
    p50Ms: row.p50_ms,
    p95Ms: row.p95_ms,
    p99Ms: row.p99_ms,
    statusClasses: {
      "2xx": Number(row.status_2xx),
      "3xx": Number(row.status_3xx),
      "4xx": Number(row.status_4xx),
      "5xx": Number(row.status_5xx),
    },
    errorRate: row.error_rate,
  };
}

function toModelMetrics(row: ModelRow): ModelMetrics {
  return {
    model: row.model,
    calls: Number(row.calls),
    failed: Number(row.failed),
    errorRate: row.error_rate,
    failuresByCode: row.failures_by_code,
  };
}

/** The start of a window ending at `now`, cut at a whole minute as the SQL cuts it. */
export function windowStart(window: MetricWindow, now: Date): Date {
  const start = now.getTime() - METRIC_WINDOWS[window] * 1000;
  return new Date(start - (start % 60_000));
}

async function readWindow(tx: Tx, window: MetricWindow, now: Date): Promise<WindowMetrics> {
  const since = windowStart(window, now);
  const routes = await tx<RouteRow[]>`select * from private.route_latency_stats(${since})`;
  const models = await tx<ModelRow[]>`select * from private.model_call_stats(${since})`;
  const jobs = await tx<JobRow[]>`select * from private.job_stats(${since})`;
  return {
    window,
    since: since.toISOString(),
    routes: routes.map(toRouteMetrics),
    models: models.map(toModelMetrics),
    jobs: jobs.map(toJobMetrics),
  };
}

/**
 * Reads the figures of `windows` in one read-only snapshot.
 *
 * @example
 * const figures = await readSystemMetrics(db, c.var.caller, ["hour", "day", "week"]);
 */
export function readSystemMetrics(
  db: Database,
  caller: DbCaller,
  windows: readonly MetricWindow[],
  now = new Date(),
): Promise<SystemMetrics> {
  return db.withUser({ ...caller, isolation: "repeatable read", readOnly: true }, async (tx) => {
    const read: WindowMetrics[] = [];
    for (const window of windows) read.push(await readWindow(tx, window, now));
    return { generatedAt: now.toISOString(), windows: read };
  });
}
