/**
 * Request and response shapes of the operations API (`health`,
 * `system-metrics`), shared with the client SDK. Imports only from "zod".
 * Nothing here names a host, a version or a secret: the answers are safe to
 * show whoever may see them.
 *
 * @module
 */
import { z } from "zod";

/** `GET /health`: the function answers, nothing more. */
export const livenessSchema = z.object({ status: z.literal("ok") });

/** `GET /health`. */
export type Liveness = z.infer<typeof livenessSchema>;

/** One dependency's state: `ok`, `failing`, or `absent` (not set up on this project). */
export const checkStatusSchema = z.enum(["ok", "failing", "absent"]);

/** One dependency's state. */
export type CheckStatus = z.infer<typeof checkStatusSchema>;

/** `GET /health/ready` (admins): whether each dependency answers. */
export const readinessSchema = z.object({
  /** `ready` when every check is ok (or absent), else `not_ready`. */
  status: z.enum(["ready", "not_ready"]),
  checks: z.object({
    /** Reachable, and at least the schema version this code needs applied. */
    database: z.object({ status: checkStatusSchema, migrated: z.boolean() }),
    /** The model endpoint lists models with the configured key. */
    model: z.object({ status: checkStatusSchema }),
    /** Storage answers an authenticated request. */
    storage: z.object({ status: checkStatusSchema }),
    /** Queued jobs and the oldest one's age; absent until a jobs table exists. */
    jobs: z.object({
      status: checkStatusSchema,
      queued: z.int().min(0).nullable(),
      oldestQueuedAgeSeconds: z.int().min(0).nullable(),
    }),
  }),
  checkedAt: z.iso.datetime({ offset: true }),
});

/** `GET /health/ready`. */
export type Readiness = z.infer<typeof readinessSchema>;

/** The windows `system-metrics` reports on, and how long each is. */
export const METRIC_WINDOWS = { hour: 3_600, day: 86_400, week: 604_800 } as const;

/** `hour`, `day` or `week`. */
export const metricWindowSchema = z.enum(["hour", "day", "week"]);

/** `hour`, `day` or `week`. */
export type MetricWindow = z.infer<typeof metricWindowSchema>;

/** Query of `GET /system-metrics`: one window, or all three when omitted. */
export const systemMetricsQuerySchema = z.object({ window: metricWindowSchema.optional() });

/** Figures of one route and method over a window. */
export const routeMetricsSchema = z.object({
  route: z.string(),
  method: z.string(),
  requests: z.int().min(0),
  p50Ms: z.number().min(0),
  p95Ms: z.number().min(0),
  p99Ms: z.number().min(0),
  statusClasses: z.object({
    "2xx": z.int().min(0),
    "3xx": z.int().min(0),
    "4xx": z.int().min(0),
    "5xx": z.int().min(0),
  }),
  /** Share of requests that ended in a 5xx. */
  errorRate: z.number().min(0).max(1),
});

/** Figures of one route and method over a window. */
export type RouteMetrics = z.infer<typeof routeMetricsSchema>;

/** Model calls of one model over a window (from stored experiments). */
export const modelMetricsSchema = z.object({
  model: z.string(),
  calls: z.int().min(0),
  failed: z.int().min(0),
  errorRate: z.number().min(0).max(1),
  failuresByCode: z.record(z.string(), z.int().min(0)),
});

/** Model calls of one model over a window. */
export type ModelMetrics = z.infer<typeof modelMetricsSchema>;

/** Jobs of one kind: those that ended within the window, and those waiting now. */
export const jobMetricsSchema = z.object({
  kind: z.string(),
  succeeded: z.int().min(0),
  failed: z.int().min(0),
  cancelled: z.int().min(0),
  /** Failed share of the jobs that succeeded or failed. */
  failureRate: z.number().min(0).max(1),
  /** Seconds from creation to the end, over the jobs that ended; null when none did. */
  p50Seconds: z.number().min(0).nullable(),
  p95Seconds: z.number().min(0).nullable(),
  /** Queued and running now (the same in every window). */
  queued: z.int().min(0),
  running: z.int().min(0),
});

/** Jobs of one kind over a window. */
export type JobMetrics = z.infer<typeof jobMetricsSchema>;

/** The figures of one window. */
export const windowMetricsSchema = z.object({
  window: metricWindowSchema,
  /** Start of the window, cut at a whole minute. */
  since: z.iso.datetime({ offset: true }),
  routes: z.array(routeMetricsSchema),
  models: z.array(modelMetricsSchema),
  jobs: z.array(jobMetricsSchema),
});

/** The figures of one window. */
export type WindowMetrics = z.infer<typeof windowMetricsSchema>;

/** `GET /system-metrics` (admins). */
export const systemMetricsSchema = z.object({
  generatedAt: z.iso.datetime({ offset: true }),
  windows: z.array(windowMetricsSchema),
});

/** `GET /system-metrics`. */
export type SystemMetrics = z.infer<typeof systemMetricsSchema>;

/** `POST /system-metrics/rollup` (admins): what the rollup moved. */
export const rollupResultSchema = z.object({
  /** Raw request rows folded into per-minute buckets. */
  rolledUp: z.int().min(0),
  /** Buckets older than the rollup retention that were deleted. */
  prunedBuckets: z.int().min(0),
  /** Raw rows are kept this many days. */
  keepDays: z.int().min(1),
});

/** `POST /system-metrics/rollup`. */
export type RollupResult = z.infer<typeof rollupResultSchema>;
