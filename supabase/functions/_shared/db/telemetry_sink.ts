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
 * One request must never cost its neighbours their rows: each row is made
 * storable first (see {@link metricRow}), and if a batch still fails for any
 * reason but an unreachable database, its rows are written again one by one,
 * each in its own savepoint, so only a row that cannot be stored is lost.
 *
 * @module
 */
import { type Database, isMissingUser, type Tx } from "./client.ts";
import { isHttpError } from "../errors.ts";
import { storableText } from "./storable_text.ts";
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
      const failures = await insertMetrics(db, batch.map((p) => p.metric));
      batch.forEach((p, i) => failures[i] === undefined ? p.resolve() : p.reject(failures[i]));
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

/** A `system_metrics` row. */
export interface MetricRow {
  user_id: string | null;
  route: string;
  method: string;
  status_code: number;
  latency_ms: number;
  correlation_id: string;
}

const COLUMNS = [
  "user_id",
  "route",
  "method",
  "status_code",
  "latency_ms",
  "correlation_id",
] as const;

/** Methods as the table's check allows them (`^[A-Z]{3,7}$`); any other is recorded as `OTHER`. */
const METHOD = /^[A-Z]{3,7}$/;

/**
 * The row of a metric, made storable: the route (the raw path when no route
 * matched, so anything a client sent) without NUL, with unpaired surrogates
 * replaced and cut to the column's 200 characters; the method in upper case,
 * or `OTHER` when it does not fit the column (`PROPFIND`).
 *
 * @example
 * metricRow({ ...metric, route: "/calibration/\0", method: "propfind" }); // route "/calibration/", method "OTHER"
 */
export function metricRow(m: RequestMetric): MetricRow {
  const method = m.method.toUpperCase();
  return {
    user_id: m.userId,
    route: storableText(m.route, { maxLength: 200, fallback: "/" }),
    method: METHOD.test(method) ? method : "OTHER",
    status_code: m.statusCode,
    latency_ms: m.latencyMs,
    correlation_id: m.correlationId,
  };
}

/**
 * Writes a batch; resolves with each metric's failure (undefined when its
 * row was written). An unreachable database fails the whole batch; any other
 * failure writes the rows one by one, a row whose user no longer exists
 * without its user (as `on delete set null` would have left it).
 */
async function insertMetrics(db: Database, metrics: RequestMetric[]): Promise<unknown[]> {
  const rows = metrics.map(metricRow);
  const context = {
    correlationId: metrics.length === 1 ? metrics[0].correlationId : undefined,
    // Telemetry is not worth a WAL flush per batch: a database crash may lose
    // the last fraction of a second of it.
    durable: false,
  };
  try {
    await db.asService(
      context,
      (tx) => tx`insert into public.system_metrics ${tx(rows, ...COLUMNS)}`,
    );
    return rows.map(() => undefined);
  } catch (error) {
    if (isHttpError(error) && error.status === 503) return rows.map(() => error);
    try {
      return await db.asService(context, async (tx) => {
        const failures: unknown[] = [];
        for (const row of rows) failures.push(await insertAlone(tx, row));
        return failures;
      });
    } catch (secondary) {
      return rows.map(() => secondary);
    }
  }
}

/** Inserts one row in a savepoint of its own; its failure, or undefined. */
async function insertAlone(tx: Tx, row: MetricRow): Promise<unknown> {
  const insert = (values: MetricRow) =>
    tx.savepoint((sp) => sp`insert into public.system_metrics ${sp([values], ...COLUMNS)}`);
  try {
    await insert(row);
    return undefined;
  } catch (error) {
    if (!isMissingUser(error) || row.user_id === null) return error;
    return await insert({ ...row, user_id: null }).then(() => undefined, (again) => again);
  }
}
