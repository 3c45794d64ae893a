/**
 * Fire-and-forget work (telemetry, audit on failure) that must not add
 * latency to a response or fail it. On Supabase it is handed to
 * `EdgeRuntime.waitUntil`, which keeps the worker alive until it settles;
 * in stock Deno (tests, the local gateway) pending work is tracked so
 * {@link flushBackground} can await it.
 *
 * @module
 */

/** The slice of Supabase's edge-runtime global used here (absent in stock Deno). */
interface EdgeRuntimeGlobal {
  waitUntil(promise: Promise<unknown>): void;
}

/** Options for {@link runInBackground}. */
export interface BackgroundOptions {
  /** Short, secret-free name for the log line, e.g. `record request metric`. */
  label?: string;
}

const pending = new Set<Promise<void>>();

/**
 * Runs `task` without awaiting it. A rejection is logged with `console.error`
 * (label and error name only) and never rethrown.
 *
 * @example
 * ```ts
 * runInBackground(recordMetric(metric), { label: "record request metric" });
 * return ok(c, data);
 * ```
 */
export function runInBackground(
  task: Promise<unknown> | (() => Promise<unknown>),
  options: BackgroundOptions = {},
): void {
  const label = options.label ?? "background task";
  const settled: Promise<void> = Promise.resolve()
    .then(() => typeof task === "function" ? task() : task)
    .then(
      () => undefined,
      (error: unknown) => console.error(`Background task failed: ${label} (${errorName(error)})`),
    )
    .finally(() => pending.delete(settled));
  pending.add(settled);
  edgeRuntime()?.waitUntil(settled);
}

/**
 * Resolves once every task started with {@link runInBackground} has settled,
 * including tasks started while waiting.
 *
 * @example
 * ```ts
 * await app.request("/generate", { method: "POST" });
 * await flushBackground();
 * assert.equal(metrics.length, 1);
 * ```
 */
export async function flushBackground(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

function edgeRuntime(): EdgeRuntimeGlobal | undefined {
  const runtime = (globalThis as { EdgeRuntime?: Partial<EdgeRuntimeGlobal> }).EdgeRuntime;
  return typeof runtime?.waitUntil === "function" ? (runtime as EdgeRuntimeGlobal) : undefined;
}

function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}
