/**
 * Where `telemetry` puts its metrics: `public.system_metrics`, written as
 * service_role after the response has gone out. Metrics are written in
 * batches: the first metric opens a short window (`maxDelayMs`), and every
 * metric that arrives before it closes — or while the previous batch is
 * still being written — goes in the same multi-row insert. A busy function
 * writes one transaction per window instead of one per request, so
 * telemetry does not compete with the requests for connections, round trips
 * and CPU.
 *
 * @module
 */
import type { Database } from "./client.ts";
import type { RequestMetric } from "../http/telemetry.ts";

/** Options for {@link metricRecorder}. */
export interface MetricRecorderOptions {
  /** Most metrics per insert; more wait for the next one. Default 200. */
  maxBatch?: number;
  /** How long the first metric of a batch waits for others, in milliseconds. Default 25. */
  maxDelayMs?: number;
}

interface Pending {
  metric: RequestMetric;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A `record` callback for `telemetry`. Each call resolves once the batch
 * holding its metric is committed (or rejects if that insert failed).
 *
 * @example
 * createFunctionApp("generate", { ..., recordMetric: metricRecorder(db) });
 */
export function metricRecorder(
  db: Database,
  options: MetricRecorderOptions = {},
): (metric: RequestMetric) => Promise<void> {
  const maxBatch = options.maxBatch ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 25;
  let queue: Pending[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    if (maxDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, maxDelayMs));
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await insertMetrics(db, batch.map((p) => p.metric));
        batch.forEach((p) => p.resolve());
      } catch (error) {
        batch.forEach((p) => p.reject(error));
      }
    }
    writing = false;
  }

  return function recordMetric(metric) {
    return new Promise<void>((resolve, reject) => {
      queue.push({ metric, resolve, reject });
      if (!writing) drain();
    });
  };
}

/** One multi-row insert of `metrics` as service_role. */
async function insertMetrics(db: Database, metrics: RequestMetric[]): Promise<void> {
  const rows = metrics.map((m) => ({
    user_id: m.userId,
    route: m.route.slice(0, 200),
    method: m.method,
    status_code: m.statusCode,
    latency_ms: m.latencyMs,
    correlation_id: m.correlationId,
  }));
  await db.asService(
    {
      correlationId: metrics.length === 1 ? metrics[0].correlationId : undefined,
      // Telemetry is not worth a WAL flush per batch: a database crash may lose
      // the last fraction of a second of it.
      durable: false,
    },
    (tx) =>
      tx`insert into public.system_metrics ${
        tx(rows, "user_id", "route", "method", "status_code", "latency_ms", "correlation_id")
      }`,
  );
}
