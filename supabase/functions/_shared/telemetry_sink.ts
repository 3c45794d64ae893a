/**
 * Where `withTelemetry` puts its metrics: `public.system_metrics`, written as
 * service_role after the response has gone out.
 *
 * @module
 */
import type { Database } from "./db.ts";
import type { RequestMetric } from "./telemetry.ts";

/**
 * A `record` callback for `withTelemetry` that inserts one row per request.
 *
 * @example
 * createFunctionApp("generate", { ..., recordMetric: metricRecorder(db) });
 */
export function metricRecorder(db: Database): (metric: RequestMetric) => Promise<void> {
  return async function recordMetric(metric) {
    await db.asService({ correlationId: metric.correlationId }, (tx) =>
      tx`insert into public.system_metrics (user_id, route, method, status_code, latency_ms, correlation_id)
         values (${metric.userId}, ${metric.route.slice(0, 200)}, ${metric.method}, ${metric.statusCode},
                 ${metric.latencyMs}, ${metric.correlationId})`);
  };
}
